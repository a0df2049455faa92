// Whether a process runs: for tests that check what was ended and what was left alone.
import { readFileSync } from 'node:fs';
import { waitFor } from './wait.ts';

/**
 * True while `pid` runs; a zombie (exited, waiting for a slow PID 1 to reap it) does not
 * count. Throws when `pid` is not a positive integer (a pid read from a file that was empty
 * or garbled must fail the test, not read as "gone").
 */
export function running(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`not a process id: ${pid}`);
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The resident memory of `pid` in kB (VmRSS of /proc/<pid>/status); throws when it is gone. */
export function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]);
}

/** Waits until `pid` no longer runs (see running); throws after `timeoutMs` (default 30 s). */
export async function waitGone(pid: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(`process ${pid} to be gone`, () => !running(pid), timeoutMs);
}
