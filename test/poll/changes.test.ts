// What a poll deploys from the remote's refs (moved branches, the highest new tag, on a first
// poll what differs from what is deployed), tags in version order, and the wait between polls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changesSince, firstChanges } from '../../src/poll/changes.ts';
import { byVersion } from '../../src/poll/version-order.ts';
import { jitter, pollWait } from '../../src/poll/wait.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const rule = (over: { branches?: string[]; tags?: boolean | string } = {}) => ({ name: 'site', branches: ['main'], tags: false as boolean | string, ...over });
const refs = (o: Record<string, string>) => new Map(Object.entries(o));
const shown = (cs: Array<{ ref: string; commit: string }>) => cs.map((c) => `${c.ref}@${c.commit[0]}`);

test('byVersion orders tags as git version:refname does: numbers as numbers, a prefix first', () => {
  const tags = ['v1.10.0', 'v1.9.2', 'v1.0.0-rc1', 'v1.0.0', 'v2', 'v1.9.10', 'v01.9.3', 'release-9999999999999999999999', 'release-10'];
  assert.deepEqual([...tags].sort(byVersion), ['release-10', 'release-9999999999999999999999', 'v1.0.0', 'v1.0.0-rc1', 'v1.9.2', 'v01.9.3', 'v1.9.10', 'v1.10.0', 'v2']);
  assert.equal(byVersion('v1.2', 'v1.2'), 0);
});

test('changesSince: each branch the entry deploys that moved or is new, in name order; unchanged and other branches nothing', () => {
  const now = refs({ 'refs/heads/main': B, 'refs/heads/release/2': C, 'refs/heads/release/1': A, 'refs/heads/other': C });
  assert.deepEqual(shown(changesSince(rule({ branches: ['main', 'release/*'] }), now, { 'refs/heads/main': A, 'refs/heads/release/1': A, 'refs/heads/other': A })),
    ['refs/heads/main@b', 'refs/heads/release/2@c']);
  assert.deepEqual(changesSince(rule(), now, { 'refs/heads/main': B }), [], 'main did not move');
});

test('changesSince: of the new or moved tags the entry deploys, only the highest by version; a ref git could not use is left out', () => {
  const now = refs({ 'refs/heads/main': A, 'refs/tags/v1.9.0': A, 'refs/tags/v1.10.0': B, 'refs/tags/v1.2.0': C, 'refs/tags/beta': C, 'refs/tags/v9..0': C });
  const before = { 'refs/heads/main': A, 'refs/tags/v1.9.0': A };
  assert.deepEqual(shown(changesSince(rule({ tags: 'v*' }), now, before)), ['refs/tags/v1.10.0@b']);
  assert.deepEqual(shown(changesSince(rule({ tags: 'v1.2*' }), now, before)), ['refs/tags/v1.2.0@c']);
  assert.deepEqual(changesSince(rule(), now, before), [], 'tags: false');
  assert.deepEqual(shown(changesSince(rule({ tags: true }), refs({ 'refs/tags/v1.9.0': C }), before)), ['refs/tags/v1.9.0@c'], 'a moved tag');
});

test('firstChanges: the deployed branch when the remote has it elsewhere; nothing when it is there', () => {
  const now = refs({ 'refs/heads/main': B, 'refs/heads/release/3': C, 'refs/tags/v2': C, 'refs/tags/v1': A });
  assert.deepEqual(shown(firstChanges(rule(), now, { kind: 'branch', name: 'main', commit: A })), ['refs/heads/main@b']);
  assert.deepEqual(firstChanges(rule(), now, { kind: 'branch', name: 'main', commit: B }), []);
  assert.deepEqual(shown(firstChanges(rule({ branches: ['release/*'] }), now, { kind: 'branch', name: 'release/3', commit: A })), ['refs/heads/release/3@c']);
  assert.deepEqual(shown(firstChanges(rule(), now, { kind: 'branch', name: 'old', commit: A })), ['refs/heads/main@b'], 'a branch it no longer deploys: its own');
  assert.deepEqual(shown(firstChanges(rule(), now, null)), ['refs/heads/main@b'], 'nothing deployed yet: its own branch');
});

test('firstChanges: after a tag (or a detached checkout), the highest tag; tags an entry of branches and tags saw before a poll are not deployed', () => {
  const now = refs({ 'refs/heads/main': B, 'refs/tags/v2': C, 'refs/tags/v1': A });
  assert.deepEqual(shown(firstChanges(rule({ branches: [], tags: true }), now, { kind: 'tag', commit: A })), ['refs/tags/v2@c']);
  assert.deepEqual(firstChanges(rule({ branches: [], tags: true }), now, { kind: 'tag', commit: C }), []);
  assert.deepEqual(shown(firstChanges(rule({ branches: [], tags: 'v*' }), now, null)), ['refs/tags/v2@c'], 'tags only, nothing deployed yet');
  assert.deepEqual(shown(firstChanges(rule({ tags: true }), now, { kind: 'branch', name: 'main', commit: B })), [], 'on main as the remote has it');
  assert.deepEqual(shown(firstChanges(rule(), now, { kind: 'tag', commit: A })), ['refs/heads/main@b'], 'tags off: its own branch');
});

test('pollWait: the interval ±10%; after failures doubled each time, never past 10 intervals', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 20].map((f) => pollWait(10_000, f, 0)), [10_000, 20_000, 40_000, 80_000, 100_000, 100_000]);
  assert.equal(pollWait(10_000, 0, 0.1), 11_000);
  assert.equal(pollWait(10_000, 1, -0.1), 18_000);
  assert.equal(pollWait(10_000, 3, 0.1), 88_000);
  assert.equal(pollWait(10_000, 4, 0.1), 100_000, 'the jittered wait too stops at 10 intervals');
  for (let i = 0; i < 100; i++) {
    const j = jitter();
    assert.ok(j >= -0.1 && j <= 0.1, String(j));
  }
});
