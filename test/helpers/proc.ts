import { readFileSync } from 'node:fs';

/** True while `pid` runs; a zombie (exited, waiting for a slow PID 1 to reap it) does not count. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
