// A lock owner or run is alive while its process runs; a zombie (exited, not yet reaped) is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processAlive } from '../../src/exec/process-alive.ts';
import { procStat } from '../../src/exec/proc-stat.ts';
import { start } from '../helpers/run.ts';
import { waitFor } from '../helpers/wait.ts';

test('processAlive: true for a running process, false for a zombie and for a reaped pid', async () => {
  assert.equal(processAlive(process.pid), true);
  // `sleep 0` is the child of a process that never waits for it (exec sleep): it stays a zombie.
  const parent = start('/bin/sh', ['-c', 'sleep 0 & echo $!; exec sleep 30']);
  try {
    const zombie = Number(await waitFor('the child\'s pid', () => parent.stdout().trim()));
    await waitFor('the child to be a zombie', () => procStat(zombie)?.state === 'Z');
    assert.equal(processAlive(zombie), false);
    assert.equal(processAlive(parent.proc.pid!), true);
  } finally {
    await parent.stop('SIGKILL');
  }
  assert.equal(processAlive(parent.proc.pid!), false);
});
