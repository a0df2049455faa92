/**
 * Sends `signal` to the process group `pgid` (a process spawned with `detached: true` leads
 * its own group, so its pid is the group id). Returns false when no such group exists
 * (ESRCH) or it may not be signalled; never throws.
 */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
