import { findByEnv, signalFound } from '../exec/find-by-env.ts';
import { DEFAULT_GRACE_MS } from '../exec/run-command.ts';

/** ms between looks at whether the leftovers are gone. */
const LOOK_MS = 50;
/** ms after the SIGKILL after which what is still there is given up on (it is not ours to wait for). */
const AFTER_KILL_MS = 2000;

/**
 * Ends what a run cut off by a crash of the daemon (SIGKILL, power cut of the daemon only)
 * left running, so that the run that takes over the checkout does not share it with them:
 * every process whose environment holds the run's WHAUTO_RUN_ID (its commands, its git, and
 * their children, see runEnv) and the process groups they are in. SIGTERM first; what is
 * still there after `graceMs` (ms, default 5000) gets SIGKILL. Resolves with the number of
 * processes found, once none is left or AFTER_KILL_MS after the SIGKILL. Never rejects.
 * Linux (/proc); elsewhere it finds nothing.
 */
export async function endLeftovers(runId: string, graceMs: number = DEFAULT_GRACE_MS): Promise<number> {
  const seen = new Set<number>();
  let left = findByEnv('WHAUTO_RUN_ID', runId);
  if (left.length === 0) return 0;
  const start = Date.now();
  let killed = false;
  while (left.length > 0) {
    const fresh = left.filter((p) => !seen.has(p.pid));
    for (const p of fresh) seen.add(p.pid);
    if (!killed && Date.now() - start >= graceMs) {
      killed = true;
      signalFound(left, 'SIGKILL');
    } else {
      signalFound(killed ? left : fresh, killed ? 'SIGKILL' : 'SIGTERM');
    }
    if (killed && Date.now() - start >= graceMs + AFTER_KILL_MS) break;
    await new Promise((r) => setTimeout(r, LOOK_MS));
    left = findByEnv('WHAUTO_RUN_ID', runId);
  }
  return seen.size;
}
