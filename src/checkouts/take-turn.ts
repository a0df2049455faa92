import { ownIdentity } from '../exec/process-alive.ts';
import type { Target } from '../model/target.ts';
import { layout } from '../state/layout.ts';
import { noteWaiting } from '../state/waiting.ts';
import { tryLock, type LockOwner } from './lock.ts';
import { ahead, waiters, waitingTriggers } from './turns.ts';

/** ms between looks while waiting for a checkout. */
const POLL_MS = 250;

/** A checkout lock held: `release` frees it; `tookOver` names the dead owner of a stale lock taken over. */
interface HeldLock {
  release: () => void;
  tookOver: LockOwner | null;
}

/**
 * Takes the lock of checkout `me.key` for the run `me.id` of a command that runs beside the
 * daemon (`whauto trigger`, `whauto rollback`): at once when it is free. When another run
 * holds it: with `wait` false, resolves `{ busy }` (the holder); else the wait is noted in the
 * state dir (so `status` shows it), `onWait` is told who holds the checkout, and the lock is
 * tried every 250 ms once nobody who began waiting for this checkout before it is left: first
 * come, first served with other triggers and, while a daemon runs, with its accepted runs
 * (`keyOf`: an entry's checkout key, undefined for entries on other checkouts). SIGINT or
 * SIGTERM while it waits removes the note, then does what the signal would have done.
 * Resolves with the lock and whether it waited. Throws only on a lock file I/O error.
 */
export async function takeTurn(
  stateDir: string,
  me: { id: string; entry: string; target: Target; key: string },
  opts: { wait: boolean; keyOf: (entry: string) => string | undefined; onWait?: (holder: LockOwner) => void },
): Promise<{ lock: HeldLock; waited: boolean } | { busy: LockOwner }> {
  const locksDir = layout.locksDir(stateDir);
  let lock = tryLock(locksDir, me.key, { entry: me.entry, runId: me.id });
  if (!('heldBy' in lock)) return { lock, waited: false };
  if (!opts.wait) return { busy: lock.heldBy };
  // No run record until it runs: this record is what shows the wait in status.
  waitingTriggers(stateDir, true); // sweeps the records of those killed while they waited
  const since = new Date().toISOString();
  const done = noteWaiting(stateDir, { id: me.id, entry: me.entry, target: me.target, key: me.key, pid: process.pid, ...ownIdentity(), since });
  // Ctrl-C while waiting: the record goes, then the signal does what it would have done.
  const onStop = (signal: NodeJS.Signals): void => {
    done();
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onStop);
  process.once('SIGTERM', onStop);
  opts.onWait?.(lock.heldBy);
  const turn = { id: me.id, key: me.key, since };
  try {
    while ('heldBy' in lock) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      // First come, first served: whoever began waiting for this checkout before goes first.
      if (ahead(waiters(stateDir, opts.keyOf, { sweep: true }), turn).length > 0) continue;
      lock = tryLock(locksDir, me.key, { entry: me.entry, runId: me.id });
    }
  } finally {
    done();
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  }
  return { lock, waited: true };
}
