// End to end with the forges' own published push deliveries (../shared/fixtures): each one,
// signed with the entry's secret, deploys a real pushed commit through the built binary.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getForge } from '../../src/forges/registry.ts';
import type { ProviderName } from '../../src/settings/types.ts';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { signFor } from '../helpers/payloads.ts';
import { MARK_ENV, readMarker, writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { fixturesDir, jsonDelivery, jsonOf } from '../forges/delivery.ts';

const SECRET = 'fixture-e2e-secret';

/** One push fixture per forge, with the event headers SOURCES.md gives for it. */
const PUSHES: Array<{ forge: ProviderName; file: string; headers: Record<string, string> }> = [
  { forge: 'github', file: 'github-push-branch.goscm.json', headers: { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': 'ee8d97b4-1479-43f1-9cac-fbbd1b80da55' } },
  { forge: 'gitlab', file: 'gitlab-push-hook.goscm.json', headers: { 'X-Gitlab-Event': 'Push Hook' } },
  { forge: 'gitea', file: 'gitea-push.goscm.json', headers: { 'X-Gitea-Event': 'push' } },
  { forge: 'forgejo', file: 'forgejo-push.woodpecker.json', headers: { 'X-Forgejo-Event': 'push' } },
  { forge: 'gogs', file: 'gogs-push.docs.json', headers: { 'X-Gogs-Event': 'push' } },
  { forge: 'bitbucket', file: 'bitbucket-cloud-repo-push.goscm.json', headers: { 'X-Event-Key': 'repo:push' } },
  // Bitbucket Server's published pushes are a tag creation and branch deletions: the tag deploys.
  { forge: 'bitbucket-server', file: 'bitbucket-server-repo-refs_changed-tag-create.goscm.json', headers: { 'X-Event-Key': 'repo:refs_changed' } },
];

const dir = fixturesDir();
if (!dir) {
  test('fixture deliveries end to end', { skip: '../shared/fixtures not found (fresh clone): fixture e2e tests skipped' }, () => {});
} else {
  describe('serve: every forge\'s published push delivery deploys a real pushed commit', () => {
    let t: { dir: string; cleanup: () => void };
    let remote: Remote;
    let daemon: Daemon;
    const cases = PUSHES.map((p) => {
      const body = readFileSync(join(dir, p.file));
      const parsed = getForge(p.forge).parse(jsonDelivery(p.headers, body), jsonOf(jsonDelivery(p.headers, body)));
      assert.equal(parsed.kind, 'push', `${p.file} is a push`);
      const event = parsed.kind === 'push' ? parsed.events[0]! : null;
      return { ...p, body, repo: event!.repository.fullName, branch: event!.branch, tag: event!.tag };
    });

    before(async () => {
      t = tempDir();
      remote = makeRemote(join(t.dir, 'forge'));
      const entries: Record<string, unknown> = {};
      for (const c of cases) {
        entries[c.forge] = {
          provider: c.forge, secret: SECRET, repo: c.repo, branch: c.branch ?? 'main', tags: c.tag !== null, repodir: join(t.dir, 'co', c.forge), clone_url: remote.bare,
          env: { MARKER: join(t.dir, `${c.forge}.mark`) }, commands: [MARK_ENV],
        };
      }
      daemon = await startDaemon(writeSettings(t.dir, { workers: 2, entries }));
    });
    after(async () => {
      await daemon?.stop();
      t.cleanup();
    });

    it('bitbucket-server: the published branch deletion is ignored with 200 and runs nothing', async () => {
      const body = readFileSync(join(dir, 'bitbucket-server-repo-refs_changed.gpw.json'));
      const headers = { 'Content-Type': 'application/json', 'X-Event-Key': 'repo:refs_changed', ...signFor('bitbucket-server', SECRET, body) };
      const res = await post(`${daemon.base}/webhook/bitbucket-server`, headers, body);
      // That delivery names another repository (~gopher/webhook-test) than the entry's, which is also a reason to ignore it.
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.json.status, 'ignored');
    });

    for (const c of cases) {
      it(`${c.forge}: ${c.file} (${c.repo}, ${c.tag ? `tag ${c.tag}` : `branch ${c.branch}`}) deploys`, async () => {
        let commit = remote.push(c.branch ?? 'main', `${c.forge}.txt`);
        if (c.tag) commit = remote.pushTag(c.tag);
        const headers = { 'Content-Type': 'application/json', ...c.headers, ...signFor(c.forge, SECRET, c.body) };
        const res = await post(`${daemon.base}/webhook/${c.forge}`, headers, c.body);
        assert.equal(res.status, 202, JSON.stringify(res.json));
        const file = join(t.dir, `${c.forge}.mark`);
        const m = await waitFor(`${c.forge} deployed`, () => readMarker(file));
        assert.equal(git(join(t.dir, 'co', c.forge), 'rev-parse', 'HEAD'), m['WHAUTO_AFTER']);
        assert.equal(git(remote.bare, 'merge-base', '--is-ancestor', commit, m['WHAUTO_AFTER']!), '');
        if (c.tag) {
          assert.equal(m['WHAUTO_TAG'], c.tag);
          assert.equal(m['WHAUTO_AFTER'], commit, 'the tag\'s commit is checked out');
        } else assert.equal(m['WHAUTO_BRANCH'], c.branch);
        assert.equal(m['WHAUTO_REPOSITORY'], c.repo);
        assert.equal(m['WHAUTO_FORGE'], c.forge);
      });
    }
  });
}
