import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteTip } from '../../src/git/remote-tip.ts';
import { head } from '../../src/git/head.ts';
import { updateCheckout } from '../../src/git/update-checkout.ts';
import { GIT_TEST_ENV, makeRemote } from './remote-repo.ts';

test('remoteTip names the remote tip without fetching or changing the checkout', async () => {
  const repo = makeRemote();
  try {
    const main = { kind: 'branch', name: 'main' } as const;
    assert.equal(await remoteTip(repo.entry(), main, { env: GIT_TEST_ENV }), repo.git(['rev-parse', 'HEAD']), 'via clone_url when repodir is missing');
    await updateCheckout(repo.entry(), main, { env: GIT_TEST_ENV });
    const deployed = await head(repo.deploy, { env: GIT_TEST_ENV });
    const next = repo.commit('app.txt', 'v2\n');
    repo.git(['push', '--quiet', 'origin', 'main']);
    assert.equal(await remoteTip(repo.entry({ cloneUrl: null }), main, { env: GIT_TEST_ENV }), next);
    assert.equal(await head(repo.deploy, { env: GIT_TEST_ENV }), deployed);
    assert.equal(repo.git(['rev-parse', 'refs/remotes/origin/main'], repo.deploy), deployed, 'nothing fetched');
    const errors: string[] = [];
    assert.equal(await remoteTip(repo.entry(), { kind: 'branch', name: 'nope' }, { env: GIT_TEST_ENV, onError: (m) => errors.push(m) }), null);
    assert.deepEqual(errors, ['branch nope does not exist on remote origin']);
  } finally {
    repo.cleanup();
  }
});

test('head returns null for a folder that is no repository', async () => {
  assert.equal(await head('/nonexistent/whauto'), null);
});
