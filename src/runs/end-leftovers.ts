import { findByEnv, type FoundProcess } from '../exec/find-by-env.ts';
import { killGroup } from '../exec/kill-group.ts';
import { procStat } from '../exec/proc-stat.ts';
import { DEFAULT_GRACE_MS } from '../exec/run-command.ts';

/** ms between looks at whether the leftovers are gone. */
const LOOK_MS = 50;
/** ms after the SIGKILL after which what is still there is given up on (it is not ours to wait for). */
const AFTER_KILL_MS = 2000;

function signal(found: FoundProcess[], sig: NodeJS.Signals, own: number): void {
  for (const p of found) {
    // The group takes children that cleared their environment along.
    if (p.pgid > 1 && p.pgid !== own) killGroup(p.pgid, sig);
    try { process.kill(p.pid, sig); } catch { /* gone */ }
  }
}

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
  // This process's own group is never signalled as a group: a leftover may have started this very process.
  const own = procStat('self')?.pgid ?? -1;
  const start = Date.now();
  let killed = false;
  while (left.length > 0) {
    const fresh = left.filter((p) => !seen.has(p.pid));
    for (const p of fresh) seen.add(p.pid);
    if (!killed && Date.now() - start >= graceMs) {
      killed = true;
      signal(left, 'SIGKILL', own);
    } else {
      signal(killed ? left : fresh, killed ? 'SIGKILL' : 'SIGTERM', own);
    }
    if (killed && Date.now() - start >= graceMs + AFTER_KILL_MS) break;
    await new Promise((r) => setTimeout(r, LOOK_MS));
    left = findByEnv('WHAUTO_RUN_ID', runId);
  }
  return seen.size;
}
