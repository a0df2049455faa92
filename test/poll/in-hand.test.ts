// Whether a run already has what a poll found: deployed, being deployed, or waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inHand, type EntryRuns } from '../../src/poll/in-hand.ts';
import type { RunRecord } from '../../src/model/run-record.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const main = { kind: 'branch', name: 'main' } as const;
const change = { target: main, ref: 'refs/heads/main', commit: B };

function rec(id: string, over: Partial<RunRecord>): RunRecord {
  return {
    id, entry: 'site', trigger: 'webhook', target: main, deliveries: [], previous: null, commit: null,
    startedAt: '2026-01-01T00:00:00Z', endedAt: null, step: null, steps: [], result: 'succeeded', message: null, pid: 1, logFile: '/dev/null', ...over,
  };
}
const runs = (over: Partial<EntryRuns>): EntryRuns => ({ waiting: [], records: [], alive: () => true, running: [], ...over });
const delivered = (after: string) => [{ forge: 'github', event: 'push', deliveryId: 'd', ref: 'refs/heads/main', before: null, after, pusher: null, repository: null, receivedAt: '' }];

test('inHand: a waiting run of the same target has it (it fetches later); of another target not', () => {
  assert.deepEqual(inHand(change, runs({ waiting: [{ id: 'w', target: main }] })), { by: 'waiting', run: 'w' });
  assert.equal(inHand(change, runs({ waiting: [{ id: 'w', target: { kind: 'tag', name: 'v1' } }] })), null);
});

test('inHand: a running run that checked the commit out, or was delivered it, has it; one that has not said its commit yet: unsure', () => {
  assert.deepEqual(inHand(change, runs({ records: [rec('r', { result: 'running', commit: B })] })), { by: 'running', run: 'r' });
  assert.deepEqual(inHand(change, runs({ records: [rec('r', { result: 'running', deliveries: delivered(B) })] })), { by: 'running', run: 'r' });
  assert.equal(inHand(change, runs({ records: [rec('r', { result: 'running' })] })), 'unsure');
  assert.equal(inHand(change, runs({ records: [rec('r', { result: 'running', commit: A })] })), null, 'it deploys an older commit: one more run');
  assert.equal(inHand(change, runs({ running: ['new'] })), 'unsure', 'the daemon runs one whose record is not written yet');
  assert.equal(inHand(change, runs({ records: [rec('r', { result: 'running' })], alive: () => false })), null, 'a cut-off run has nothing in hand');
});

test('inHand: the newest finished run of the target that deployed the commit has it; an older one does not count', () => {
  assert.deepEqual(inHand(change, runs({ records: [rec('new', { commit: B, result: 'failed' }), rec('old', { commit: A })] })), { by: 'deployed', run: 'new' });
  assert.equal(inHand(change, runs({ records: [rec('new', { commit: A }), rec('old', { commit: B })] })), null);
  assert.deepEqual(inHand(change, runs({ records: [rec('tag', { commit: A, target: { kind: 'tag', name: 'v1' } }), rec('m', { commit: B })] })), { by: 'deployed', run: 'm' });
});
