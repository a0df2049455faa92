import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteTip } from '../../src/git/remote-tip.ts';
import { head } from '../../src/git/head.ts';
import { updateCheckout } from '../helpers/update.ts';
import { git, GIT_ENV, makeRemote } from '../helpers/git.ts';

test('remoteTip names the remote tip without fetching or changing the checkout', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    const opts = { env: GIT_ENV };
    assert.deepEqual(await remoteTip(repo.entry(), repo.work, repo.bare, main, opts), { tip: git(repo.work, 'rev-parse', 'HEAD') }, 'by URL');
    await updateCheckout(repo.entry(), main, { env: GIT_ENV });
    const deployed = await head(repo.deploy, { env: GIT_ENV });
    const next = repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    assert.deepEqual(await remoteTip(repo.entry(), repo.deploy, 'origin', main, opts), { tip: next }, 'by the checkout\'s remote');
    assert.equal(await head(repo.deploy, { env: GIT_ENV }), deployed);
    assert.equal(git(repo.deploy, 'rev-parse', 'refs/remotes/origin/main'), deployed, 'nothing fetched');
    assert.deepEqual(await remoteTip(repo.entry(), repo.deploy, 'origin', { kind: 'branch', name: 'nope' }, opts), { message: 'branch nope does not exist on remote origin', failed: null });
  } finally {
    repo.cleanup();
  }
});

test('head returns null for a folder that is no repository', async () => {
  assert.equal(await head('/nonexistent/whauto'), null);
});
