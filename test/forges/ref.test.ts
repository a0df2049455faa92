import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRef, refNames } from '../../src/forges/ref.ts';
import { PayloadError } from '../../src/forges/types.ts';

test('checkRef accepts branch and tag refs git accepts', () => {
  for (const ref of ['refs/heads/main', 'refs/heads/release/1.2', 'refs/tags/v1.0.0', 'refs/heads/feature_x-y', 'refs/heads/ünïcode', 'refs/tags/a.b']) {
    assert.equal(checkRef(ref), ref);
  }
});

test('checkRef refuses non-strings, other namespaces and names git refuses, with a PayloadError', () => {
  const bad: unknown[] = [
    42, ['refs/heads/main'], null, undefined, { ref: 'refs/heads/x' },
    'main', 'refs/pull/1/head', 'refs/remotes/origin/main', 'refs/heads/', 'refs/tags/', 'heads/main',
    'refs/heads/a..b', 'refs/heads/a b', 'refs/heads/a\tb', 'refs/heads/a\0b', 'refs/heads/a\x7fb',
    'refs/heads/a~1', 'refs/heads/a^', 'refs/heads/a:b', 'refs/heads/a?', 'refs/heads/a*', 'refs/heads/a[b', 'refs/heads/a\\b',
    'refs/heads/a@{1}', 'refs/heads/.hidden', 'refs/heads/a/.b', 'refs/heads/x.lock', 'refs/heads/a.lock/b',
    'refs/heads/a//b', 'refs/heads/a/', 'refs/heads/a.', 'refs/heads/-x', 'refs/tags/a/-rf', 'refs/heads/HEAD',
    `refs/heads/${'a'.repeat(1014)}`,
  ];
  for (const ref of bad) {
    assert.throws(() => checkRef(ref), PayloadError, `refused: ${JSON.stringify(ref)}`);
  }
});

test('checkRef accepts exactly 1024 bytes and refuses 1025', () => {
  const at = (n: number) => `refs/heads/${'a'.repeat(n - 'refs/heads/'.length)}`;
  assert.equal(checkRef(at(1024)).length, 1024);
  assert.throws(() => checkRef(at(1025)), PayloadError);
});

test('checkRef names the path, never the value, in its message', () => {
  assert.throws(() => checkRef('refs/heads/evil..name', 'changes.0.refId'), (e: unknown) =>
    e instanceof PayloadError && e.message.startsWith('changes.0.refId') && !e.message.includes('evil'));
});

test('refNames splits a checked ref into branch or tag', () => {
  assert.deepEqual(refNames('refs/heads/release/1'), { branch: 'release/1', tag: null });
  assert.deepEqual(refNames('refs/tags/v1'), { branch: null, tag: 'v1' });
});
