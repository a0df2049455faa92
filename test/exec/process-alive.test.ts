// A lock owner or run is alive while its process runs; a zombie (exited, not yet reaped) is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { processAlive } from '../../src/exec/process-alive.ts';
import { procStat } from '../../src/exec/proc-stat.ts';

test('processAlive: true for a running process, false for a zombie and for a reaped pid', async () => {
  assert.equal(processAlive(process.pid), true);
  // `sleep 0` is the child of a process that never waits for it (exec sleep): it stays a zombie.
  const parent = spawn('/bin/sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim()))));
    const deadline = Date.now() + 20_000;
    while (procStat(zombie)?.state !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(procStat(zombie)?.state, 'Z', 'the child became a zombie');
    assert.equal(processAlive(zombie), false);
    assert.equal(processAlive(parent.pid!), true);
  } finally {
    parent.kill('SIGKILL');
  }
  await new Promise((r) => parent.once('exit', r));
  assert.equal(processAlive(parent.pid!), false);
});
