import { readdirSync } from 'node:fs';
import { procStat } from './proc-stat.ts';

/**
 * Sends `signal` to the process group `pgid` (a process spawned with `detached: true` leads
 * its own group, so its pid is the group id). Returns false when no such group exists
 * (ESRCH) or it may not be signalled; never throws. Signal 0 only asks whether the group exists.
 */
export function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether any process of the group `pgid` is still running. Zombies (exited, waiting for a
 * parent to reap them) do not count: where PID 1 reaps slowly, or not at all, orphans stay
 * zombies in their group. Reads /proc (Linux); without it, whether the group exists at all.
 */
export function groupRunning(pgid: number): boolean {
  if (!killGroup(pgid, 0)) return false;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = procStat(Number(name));
    if (stat && stat.pgid === pgid && stat.state !== 'Z') return true;
  }
  return false;
}
