// End to end: the built dist/whauto serves real HTTP, a bare repository is the forge's
// remote, real commits are pushed, and the checkout and the commands' effects are checked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { FORGE_NAMES, pushDelivery, signFor } from '../helpers/payloads.ts';
import { MARK_ENV, readMarker, writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'e2e-secret-value';

describe('serve: each forge push deploys the pushed commit', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  const repoOf = (forge: string): string => (forge === 'bitbucket-server' ? 'PRJ/site' : `acme/site-${forge}`);

  before(async () => {
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    const entries: Record<string, unknown> = {};
    for (const forge of FORGE_NAMES) {
      entries[`site-${forge}`] = {
        provider: forge, secret: SECRET, repo: repoOf(forge), branch: 'main',
        repodir: join(t.dir, 'checkouts', forge), clone_url: remote.bare,
        env: { MARKER: join(t.dir, `marker-${forge}`) }, commands: [MARK_ENV],
      };
    }
    daemon = await startDaemon(writeSettings(t.dir, { workers: 2, entries }));
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  for (const forge of ['github', 'gitea', 'gogs'] as const) {
    it(`${forge}: a form delivery (payload=…) deploys; ${forge === 'github' ? 'the signature covers the whole form body' : 'the signature covers the payload JSON'}`, async () => {
      const commit = remote.push('main', `form-${forge}.txt`);
      const json = pushDelivery(forge, { repo: repoOf(forge), branch: 'main', after: commit, pusher: 'form-user' }, null);
      const form = `payload=${encodeURIComponent(json.body)}`;
      const headers = { ...json.headers, 'content-type': 'application/x-www-form-urlencoded', ...signFor(forge, SECRET, forge === 'github' ? form : json.body) };
      rmSync(join(t.dir, `marker-${forge}`), { force: true });
      const res = await post(`${daemon.base}/webhook/site-${forge}`, headers, form);
      assert.equal(res.status, 202, JSON.stringify(res.json));
      const marker = await waitFor(`marker of ${forge}`, () => readMarker(join(t.dir, `marker-${forge}`)));
      assert.equal(marker['WHAUTO_PUSHER'], 'form-user');
      assert.equal(git(join(t.dir, 'checkouts', forge), 'rev-parse', 'HEAD'), marker['WHAUTO_AFTER']);
      // Signed the other way round, the same form is refused.
      const wrong = { ...json.headers, 'content-type': 'application/x-www-form-urlencoded', ...signFor(forge, SECRET, forge === 'github' ? json.body : form) };
      assert.equal((await post(`${daemon.base}/webhook/site-${forge}`, wrong, form)).status, 403);
    });
  }

  for (const forge of FORGE_NAMES) {
    it(`${forge}: 202 queued, then the checkout is on main at the pushed commit and the command saw WHAUTO_*`, async () => {
      const commit = remote.push('main', `file-${forge}.txt`);
      rmSync(join(t.dir, `marker-${forge}`), { force: true });
      const d = pushDelivery(forge, { repo: repoOf(forge), branch: 'main', after: commit, pusher: 'alice' }, SECRET);
      const res = await post(`${daemon.base}/webhook/site-${forge}`, d.headers, d.body);
      assert.equal(res.status, 202, JSON.stringify(res.json));
      assert.equal(res.json.status, 'queued');
      assert.equal(res.json.runs[0].entry, `site-${forge}`);
      const marker = await waitFor(`marker of ${forge}`, () => readMarker(join(t.dir, `marker-${forge}`)));
      const checkout = join(t.dir, 'checkouts', forge);
      assert.equal(git(checkout, 'rev-parse', 'HEAD'), marker['WHAUTO_AFTER']);
      assert.equal(git(checkout, 'symbolic-ref', '--short', 'HEAD'), 'main', 'HEAD is on the branch, not detached');
      // The run deploys the branch tip at run time: at least the pushed commit.
      assert.equal(git(remote.bare, 'merge-base', '--is-ancestor', commit, marker['WHAUTO_AFTER']!) , '');
      assert.equal(marker['WHAUTO_ENTRY'], `site-${forge}`);
      assert.equal(marker['WHAUTO_FORGE'], forge);
      assert.equal(marker['WHAUTO_TRIGGER'], 'webhook');
      assert.equal(marker['WHAUTO_BRANCH'], 'main');
      assert.equal(marker['WHAUTO_REF'], 'refs/heads/main');
      assert.equal(marker['WHAUTO_PUSHER'], 'alice');
      assert.equal(marker['WHAUTO_RUN_ID'], res.json.runs[0].id);
      assert.ok(marker['WHAUTO_PAYLOAD'] && existsSync(marker['WHAUTO_PAYLOAD']), 'the payload file exists');
    });
  }
});
