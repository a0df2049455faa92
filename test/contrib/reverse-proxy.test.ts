// trust_proxy against the built binary: X-Forwarded-For is believed from a trusted proxy only.
// allow_ips and the delivery log both use the address it yields.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSettings } from '../../src/settings/load.ts';
import { TOP_KEYS } from '../../src/settings/schema.ts';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'proxy-secret';
const ALLOWED = '192.0.2.10'; // in the entry's allow_ips
const STRANGER = '203.0.113.9';

function settings(trustProxy: string[]): Record<string, unknown> {
  return {
    trust_proxy: trustProxy,
    entries: { site: { provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main', update: 'none', allow_ips: ['192.0.2.0/24'] } },
  };
}

const deliveryLines = (daemon: Daemon): string[] => daemon.lines.filter((l) => / delivery /.test(l));

/**
 * Posts a signed push with the given X-Forwarded-For (none: null) to the entry's own URL (or
 * `path`); returns the answer code once its log line is out.
 */
async function deliver(daemon: Daemon, forwardedFor: string | null, path = '/webhook/site'): Promise<number> {
  const d = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, SECRET);
  const headers = forwardedFor === null ? d.headers : { ...d.headers, 'x-forwarded-for': forwardedFor };
  const logged = deliveryLines(daemon).length;
  const status = (await post(`${daemon.base}${path}`, headers, d.body)).status;
  await waitFor('the delivery log line', () => deliveryLines(daemon).length > logged);
  return status;
}

/** The client= of each delivery log line, the newest first. */
function loggedClients(daemon: Daemon): string[] {
  return deliveryLines(daemon).map((l) => /client=(\S+)/.exec(l)?.[1] ?? '?').reverse();
}

describe('trust_proxy: a forged X-Forwarded-For from an untrusted peer is ignored', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  before(async () => {
    t = tempDir();
    daemon = await startDaemon(writeSettings(t.dir, settings([]))); // the test's 127.0.0.1 is not a proxy
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('an allowed address in the header does not get past allow_ips (403), and the log names the real peer', async () => {
    assert.equal(await deliver(daemon, ALLOWED), 403);
    assert.equal(loggedClients(daemon)[0], '127.0.0.1');
    assert.equal(await deliver(daemon, null), 403);
  });
});

describe('trust_proxy: X-Forwarded-For from a trusted proxy is believed', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  before(async () => {
    t = tempDir();
    daemon = await startDaemon(writeSettings(t.dir, settings(['127.0.0.1/32'])));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('the forwarded client in allow_ips is accepted (202) and logged as the client', async () => {
    assert.equal(await deliver(daemon, ALLOWED), 202);
    assert.equal(loggedClients(daemon)[0], ALLOWED);
  });

  it('a forwarded client outside allow_ips is refused (403) and logged as itself', async () => {
    assert.equal(await deliver(daemon, STRANGER), 403);
    assert.equal(loggedClients(daemon)[0], STRANGER);
  });

  it('on the single URL too: 403 for a forwarded client every entry refuses, 202 for an allowed one', async () => {
    assert.equal(await deliver(daemon, STRANGER, '/webhook'), 403);
    assert.equal(loggedClients(daemon)[0], STRANGER);
    assert.equal(await deliver(daemon, ALLOWED, '/webhook'), 202);
  });

  it('an address the client itself put left of what the proxy appended is not believed', async () => {
    // nginx's $proxy_add_x_forwarded_for appends the real peer to whatever the client sent.
    assert.equal(await deliver(daemon, `${ALLOWED}, ${STRANGER}`), 403);
    assert.equal(loggedClients(daemon)[0], STRANGER);
  });

  it('without the header the proxy itself is the client', async () => {
    assert.equal(await deliver(daemon, null), 403);
    assert.equal(loggedClients(daemon)[0], '127.0.0.1');
  });
});

describe('docs/reverse-proxy.md', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/reverse-proxy.md', import.meta.url)), 'utf8');
  const blocks = (lang: string): string[] => [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

  it('the nginx location is the default webhook_url_path and proxy_pass keeps the request path (no path after the port)', () => {
    const server = blocks('nginx').find((b) => b.includes('server {'))!;
    assert.deepEqual([...server.matchAll(/^\s*location (\S+) \{/gm)].map((m) => m[1]), [TOP_KEYS['webhook_url_path']!.default]);
    assert.match(server, /^\s*proxy_pass http:\/\/127\.0\.0\.1:5000;$/m);
    for (const directive of ['client_body_timeout', 'client_body_buffer_size', 'limit_conn whauto_conn', 'limit_req zone=whauto_req']) assert.ok(server.includes(directive), directive);
  });

  it('the settings block validates, IPv6 hook ranges included, and listens where nginx passes to', () => {
    const t = tempDir();
    try {
      const yaml = blocks('yaml')[0]!.replace('site-main:', 'site-main:\n    secret: s\n    update: none');
      const file = join(t.dir, 'whauto.yaml');
      writeFileSync(file, yaml, { mode: 0o600 });
      const { settings, findings } = loadSettings(file, {});
      assert.deepEqual(findings.filter((f) => f.level === 'error'), []);
      assert.ok(settings!.entries[0]!.allowIps.some((c) => c.includes(':')), 'an IPv6 range');
      assert.deepEqual(settings!.listen, { host: '127.0.0.1', port: 5000 });
    } finally {
      t.cleanup();
    }
  });
});
