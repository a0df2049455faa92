/**
 * True when a process with this pid exists (EPERM: it exists but is another user's). Used to
 * tell a live lock owner or run from one cut off by a crash.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
