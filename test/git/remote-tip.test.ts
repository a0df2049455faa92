import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteTip } from '../../src/git/remote-tip.ts';
import { head } from '../../src/git/head.ts';
import { updateCheckout } from '../helpers/update.ts';
import { GIT_TEST_ENV, makeRemote } from './remote-repo.ts';

test('remoteTip names the remote tip without fetching or changing the checkout', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    const opts = { env: GIT_TEST_ENV };
    assert.deepEqual(await remoteTip(repo.entry(), repo.work, repo.bare, main, opts), { tip: repo.git(['rev-parse', 'HEAD']) }, 'by URL');
    await updateCheckout(repo.entry(), main, { env: GIT_TEST_ENV });
    const deployed = await head(repo.deploy, { env: GIT_TEST_ENV });
    const next = repo.commit('app.txt', 'v2\n');
    repo.git(['push', '--quiet', 'origin', 'main']);
    assert.deepEqual(await remoteTip(repo.entry(), repo.deploy, 'origin', main, opts), { tip: next }, 'by the checkout\'s remote');
    assert.equal(await head(repo.deploy, { env: GIT_TEST_ENV }), deployed);
    assert.equal(repo.git(['rev-parse', 'refs/remotes/origin/main'], repo.deploy), deployed, 'nothing fetched');
    assert.deepEqual(await remoteTip(repo.entry(), repo.deploy, 'origin', { kind: 'branch', name: 'nope' }, opts), { message: 'branch nope does not exist on remote origin', failed: null });
  } finally {
    repo.cleanup();
  }
});

test('head returns null for a folder that is no repository', async () => {
  assert.equal(await head('/nonexistent/whauto'), null);
});
