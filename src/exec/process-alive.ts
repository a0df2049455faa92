import { procStat } from './proc-stat.ts';

/**
 * True when a process with this pid runs (EPERM: it exists but is another user's). A zombie
 * (exited, not yet reaped: PID 1 of a container may be slow to) does not run. Used to tell a
 * live lock owner or run from one cut off by a crash.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procStat(pid)?.state !== 'Z';
}
