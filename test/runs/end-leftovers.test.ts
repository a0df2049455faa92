// What a cut-off run left running is found by its WHAUTO_RUN_ID and ended, and nothing else is.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { endLeftovers } from '../../src/runs/end-leftovers.ts';
import { findByEnv } from '../../src/exec/find-by-env.ts';
import { running } from '../helpers/proc.ts';
import { start } from '../helpers/run.ts';
import { waitFor } from '../helpers/wait.ts';

/** Starts `script` under sh in its own process group with WHAUTO_RUN_ID=`runId`; resolves once it said "ready". */
async function startRun(runId: string, script: string): Promise<ChildProcess> {
  const child = start('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WHAUTO_RUN_ID: runId }, detached: true });
  await waitFor(`${runId} ready`, () => child.stdout().includes('ready'));
  return child.proc;
}

describe('endLeftovers', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ }
  });

  it('finds nothing and returns 0 at once when no process has the run id', async () => {
    assert.equal(await endLeftovers('20261129T000000000Z-none', 50), 0);
  });

  it('ends the run\'s processes and their groups, and leaves another run\'s alone', async () => {
    const runId = `20261129T000000001Z-${process.pid}`;
    const mine = await startRun(runId, 'sleep 300 & echo ready; wait');
    const other = await startRun(`${runId}-other`, 'echo ready; exec sleep 300');
    children.push(mine, other);
    assert.ok(findByEnv('WHAUTO_RUN_ID', runId).length >= 2, 'the shell and its sleep are found');
    const count = await endLeftovers(runId, 2000);
    assert.ok(count >= 2, `found ${count}`);
    assert.deepEqual(findByEnv('WHAUTO_RUN_ID', runId), []);
    assert.ok(!running(mine.pid!));
    assert.ok(running(other.pid!), 'a process of another run id is left alone');
  });

  it('sends SIGKILL after the grace period to what ignores SIGTERM', async () => {
    const runId = `20261129T000000002Z-${process.pid}`;
    const stubborn = await startRun(runId, "trap '' TERM; echo ready; while :; do sleep 0.05; done");
    children.push(stubborn);
    const t0 = Date.now();
    await endLeftovers(runId, 300);
    assert.ok(Date.now() - t0 >= 300, 'SIGTERM came first, and the grace period was waited for');
    assert.ok(!running(stubborn.pid!));
  });
});
