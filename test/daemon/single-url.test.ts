// The single webhook URL refuses a delivery with the reason its own forge's entries give
// (SPEC section 3), not another forge's, and says when allow_ips is what stands in the way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('single URL: which refusal a delivery gets', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  const common = { branch: 'main', update: 'none' };

  before(async () => {
    t = tempDir();
    daemon = await startDaemon(writeSettings(t.dir, {
      entries: {
        // The test's 127.0.0.1 may not use the GitHub entry.
        site: { ...common, provider: 'github', secret: 'gh-secret', repo: 'acme/site', allow_ips: ['192.0.2.0/24'], workdir: t.dir, commands: ['touch ran-site'] },
        // Tried before the GitLab entry: its refusal must not be the one given for a GitLab delivery.
        other: { ...common, provider: 'bitbucket', secret: 'bb-secret', repo: 'acme/other', workdir: t.dir, commands: ['touch ran-other'] },
        lab: { ...common, provider: 'gitlab', secret: 'gl-token', repo: 'acme/lab', workdir: t.dir, commands: ['touch ran-lab'] },
        // A GitLab entry closed to the client: while an open one is there, a GitLab delivery gets that one's reason.
        'lab-closed': { ...common, provider: 'gitlab', secret: 'other-token', repo: 'acme/lab', allow_ips: ['192.0.2.0/24'], workdir: t.dir, commands: ['touch ran-lab-closed'] },
      },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('a GitLab delivery without its token: 401 naming X-Gitlab-Token, not a GitHub header', async () => {
    const d = pushDelivery('gitlab', { repo: 'acme/lab', branch: 'main' }, null);
    const res = await post(`${daemon.base}/webhook`, d.headers, d.body);
    assert.equal(res.status, 401);
    assert.match(res.json.reason, /X-Gitlab-Token/);
  });

  it('a GitLab delivery with a wrong token: 403 naming X-Gitlab-Token', async () => {
    const d = pushDelivery('gitlab', { repo: 'acme/lab', branch: 'main' }, 'not-the-token');
    const res = await post(`${daemon.base}/webhook`, d.headers, d.body);
    assert.equal(res.status, 403);
    assert.match(res.json.reason, /X-Gitlab-Token/);
  });

  it('a GitHub delivery from a client only the GitHub entry\'s allow_ips would name: 403, "not allowed"', async () => {
    const d = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'gh-secret');
    const res = await post(`${daemon.base}/webhook`, d.headers, d.body);
    assert.equal(res.status, 403);
    assert.equal(res.json.reason, 'client address 127.0.0.1 is not allowed');
    // The same as the entry's own URL says.
    const own = await post(`${daemon.base}/webhook/site`, d.headers, d.body);
    assert.deepEqual([own.status, own.json.reason], [403, res.json.reason]);
  });

  it('nothing ran, and a genuine GitLab delivery still deploys', async () => {
    const d = pushDelivery('gitlab', { repo: 'acme/lab', branch: 'main' }, 'gl-token');
    const res = await post(`${daemon.base}/webhook`, d.headers, d.body);
    assert.equal(res.status, 202);
    await daemon.waitForLine(/run finished .*entry=lab .*result=succeeded/);
    for (const e of ['site', 'other']) assert.ok(!existsSync(join(t.dir, `ran-${e}`)), `entry ${e} ran`);
    assert.equal(daemon.lines.filter((l) => /run started .*entry=lab/.test(l)).length, 1, 'the refused deliveries ran nothing');
  });
});

describe('single URL when every entry refuses the client (allow_ips)', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;

  before(async () => {
    t = tempDir();
    const closed = { branch: 'main', update: 'none', allow_ips: ['192.0.2.0/24'], workdir: t.dir, commands: ['touch ran'] };
    daemon = await startDaemon(writeSettings(t.dir, {
      entries: {
        site: { ...closed, provider: 'github', secret: 'gh-secret', repo: 'acme/site' },
        lab: { ...closed, provider: 'gitlab', secret: 'gl-token', repo: 'acme/lab' },
      },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('a signed delivery gets 403 "client address … is not allowed", as on an entry\'s own URL, not 404 (a wrong URL to the forge)', async () => {
    for (const [forge, repo, secret] of [['github', 'acme/site', 'gh-secret'], ['gitlab', 'acme/lab', 'gl-token'], ['gitea', 'acme/other', 'x']] as const) {
      const d = pushDelivery(forge, { repo, branch: 'main' }, secret);
      const res = await post(`${daemon.base}/webhook`, d.headers, d.body);
      assert.deepEqual([res.status, res.json.reason], [403, 'client address 127.0.0.1 is not allowed'], forge);
    }
    assert.ok(!existsSync(join(t.dir, 'ran')), 'nothing ran');
  });
});

describe('single URL when no entry names a repo', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;

  before(async () => {
    t = tempDir();
    daemon = await startDaemon(writeSettings(t.dir, {
      entries: { site: { provider: 'github', secret: 'gh-secret', branch: 'main', update: 'none', workdir: t.dir, commands: ['true'] } },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('404 saying no entry routes deliveries by repository (each entry has only its own URL)', async () => {
    const d = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'gh-secret');
    const res = await post(`${daemon.base}/webhook`, d.headers, d.body);
    assert.equal(res.status, 404);
    assert.match(res.json.reason, /no entry routes deliveries by repository/);
  });
});

describe('single URL under a webhook_url_path beside the built-in GET routes', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;

  before(async () => {
    t = tempDir();
    // Legal: under /metrics, not /metrics itself (that one check refuses).
    daemon = await startDaemon(writeSettings(t.dir, {
      webhook_url_path: '/metrics/hooks',
      metrics: true,
      entries: { site: { branch: 'main', update: 'none', provider: 'github', secret: 'gh-secret', repo: 'acme/site', workdir: t.dir, commands: ['touch ran-site'] } },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('a delivery to the single URL is queued and runs, and /metrics and /healthz still answer GET', async () => {
    const d = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'gh-secret');
    const res = await post(`${daemon.base}/metrics/hooks`, d.headers, d.body);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    await daemon.waitForLine(/run finished .*entry=site .*result=succeeded/);
    assert.ok(existsSync(join(t.dir, 'ran-site')));
    assert.equal((await fetch(`${daemon.base}/metrics`)).status, 200);
    assert.equal((await fetch(`${daemon.base}/healthz`)).status, 200);
  });
});

describe('a webhook_url_path with every character check takes', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  // All the URL path characters clients send as written (values.ts refuses any other).
  const base = "/Az09-._~!$&'()*+,;=:@/hooks";

  before(async () => {
    t = tempDir();
    daemon = await startDaemon(writeSettings(t.dir, {
      webhook_url_path: base,
      entries: { site: { branch: 'main', update: 'none', provider: 'github', secret: 'gh-secret', repo: 'acme/site', workdir: t.dir, commands: ['true'] } },
    }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('is reached by fetch (a WHATWG URL client) on the single URL and the entry URL', async () => {
    const d = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'gh-secret');
    for (const url of [`${daemon.base}${base}`, `${daemon.base}${base}/site`]) {
      assert.equal(new URL(url).pathname, url.slice(daemon.base.length), 'the client sends the path as written');
      const res = await post(url, d.headers, d.body);
      assert.equal(res.status, 202, `${url}: ${JSON.stringify(res.json)}`);
    }
  });
});
