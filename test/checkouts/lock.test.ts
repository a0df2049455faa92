// Checkout and state-dir locks: a lock is held while the process that took it runs, and that
// process is named by its identity, not by its pid alone (pids come back after a crash).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { staleLocks, tryLock } from '../../src/checkouts/lock.ts';
import { processIdentity } from '../../src/exec/process-alive.ts';
import { start } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('tryLock', () => {
  let t: { dir: string; cleanup: () => void };
  let other: ChildProcess;
  before(() => {
    t = tempDir();
    other = start('sleep', ['300']).proc;
  });
  after(() => {
    other.kill('SIGKILL');
    t.cleanup();
  });

  /** Takes the lock of `key`, then rewrites its file to name `owner` instead. */
  const plant = (key: string, owner: Record<string, unknown>): void => {
    const got = tryLock(t.dir, key, { entry: 'e', runId: 'r' });
    assert.ok(!('heldBy' in got));
    const file = readdirSync(t.dir).map((f) => join(t.dir, f)).find((f) => JSON.parse(readFileSync(f, 'utf8')).runId === 'r' && !f.includes('stale'))!;
    writeFileSync(file, JSON.stringify({ entry: 'old', runId: 'old-run', since: '', ...owner }));
  };

  it('records the identity of the process that took it, and is held while that process runs', () => {
    const got = tryLock(t.dir, 'k1', { entry: 'e', runId: 'r1' });
    assert.ok(!('heldBy' in got));
    const again = tryLock(t.dir, 'k1', { entry: 'e', runId: 'r2' });
    assert.ok('heldBy' in again);
    assert.equal(again.heldBy.identity, processIdentity('self'));
    got.release();
  });

  it('is taken over when its pid is now another process (a crash, a container restart)', () => {
    plant('k2', { pid: other.pid, identity: 'another-boot/12345' });
    const got = tryLock(t.dir, 'k2', { entry: 'e', runId: 'r3' });
    assert.ok(!('heldBy' in got), 'a pid alone does not hold the lock');
    assert.equal(got.tookOver?.runId, 'old-run');
    got.release();
  });

  it('staleLocks names the owners of locks whose process is gone, not the live ones', () => {
    const dir = join(t.dir, 'stale');
    const live = tryLock(dir, 'live', { entry: 'e', runId: 'live-run' });
    assert.ok(!('heldBy' in live));
    const dead = tryLock(dir, 'dead', { entry: 'e', runId: 'dead-run' });
    assert.ok(!('heldBy' in dead));
    const deadFile = readdirSync(dir).map((f) => join(dir, f)).find((f) => JSON.parse(readFileSync(f, 'utf8')).runId === 'dead-run')!;
    writeFileSync(deadFile, JSON.stringify({ pid: other.pid, identity: 'another-boot/1', entry: 'e', runId: 'dead-run', since: '' }));
    assert.deepEqual(staleLocks(dir).map((o) => o.runId), ['dead-run']);
    live.release();
  });

  it('is held by a live process named by its identity, and by one in a lock file without identity (older versions)', () => {
    plant('k3', { pid: other.pid, identity: processIdentity(other.pid!) });
    assert.ok('heldBy' in tryLock(t.dir, 'k3', { entry: 'e', runId: 'r4' }));
    plant('k4', { pid: other.pid });
    assert.ok('heldBy' in tryLock(t.dir, 'k4', { entry: 'e', runId: 'r5' }));
  });
});
