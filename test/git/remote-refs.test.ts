import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remoteRefs } from '../../src/git/remote-refs.ts';
import { git, GIT_ENV, makeRemote } from '../helpers/git.ts';

test('remoteRefs lists every branch and tag of a remote in one ls-remote, annotated tags peeled to their commit', async () => {
  const repo = makeRemote();
  try {
    const first = git(repo.work, 'rev-parse', 'HEAD');
    git(repo.work, 'tag', 'light');
    git(repo.work, 'tag', '-a', '-m', 'release one', 'v1');
    const second = repo.commit('app.txt', 'v2\n');
    git(repo.work, 'push', '--quiet', 'origin', 'main:refs/heads/main', 'main:refs/heads/release/2', '--tags');
    const r = await remoteRefs(repo.entry(), tmpdir(), repo.bare, { env: GIT_ENV, timeoutMs: 30_000 });
    assert.ok('refs' in r, JSON.stringify(r));
    assert.deepEqual(Object.fromEntries([...r.refs].sort()), {
      'refs/heads/main': second, 'refs/heads/release/2': second, 'refs/tags/light': first, 'refs/tags/v1': first,
    });
  } finally {
    repo.cleanup();
  }
});

test('remoteRefs says in one line why a remote cannot be asked, without the credentials of its URL', async () => {
  const missing = join(tmpdir(), 'whauto-no-such-remote.git');
  const r = await remoteRefs({ gitBinary: 'git', sshKey: null }, tmpdir(), missing, { env: GIT_ENV, timeoutMs: 30_000 });
  assert.ok('message' in r);
  assert.match(r.message, new RegExp(`^cannot reach remote ${missing}: .*does not appear to be a git repository`));
  const secret = await remoteRefs({ gitBinary: 'git', sshKey: null }, tmpdir(), 'https://deploy:s3cr3t-token@127.0.0.1:1/x.git', { env: GIT_ENV, timeoutMs: 30_000 });
  assert.ok('message' in secret);
  assert.match(secret.message, /^cannot reach remote https:\/\/\*\*\*@127\.0\.0\.1:1\/x\.git: /);
  assert.doesNotMatch(secret.message, /s3cr3t/);
});
