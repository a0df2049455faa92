// trust_proxy against the built binary: X-Forwarded-For is believed from a trusted proxy only.
// allow_ips and the delivery log both use the address it yields.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

/** Posts a signed push with the given X-Forwarded-For (none: null); returns the answer code once its log line is out. */
async function deliver(daemon: Daemon, forwardedFor: string | null): Promise<number> {
  const d = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, SECRET);
  const headers = forwardedFor === null ? d.headers : { ...d.headers, 'x-forwarded-for': forwardedFor };
  const logged = deliveryLines(daemon).length;
  const status = (await post(`${daemon.base}/webhook/site`, headers, d.body)).status;
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
