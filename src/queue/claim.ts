import { existsSync } from 'node:fs';
import { tryLock, type LockOwner } from '../checkouts/lock.ts';
import { ahead, waitingTriggers } from '../checkouts/turns.ts';
import type { Logger } from '../log/logger.ts';
import { isRunId } from '../model/run-id.ts';
import type { RunRecord } from '../model/run-record.ts';
import { openRunLog } from '../runs/run-log.ts';
import type { Entry } from '../settings/types.ts';
import { layout } from '../state/layout.ts';
import type { PendingRun } from '../state/pending.ts';
import { takeOver } from './recover.ts';

/**
 * The answer to "may this run take its checkout now": yes (release the lock when it ends),
 * 'wait' (the daemon itself is in the way: it looks again when that ends) or 'poll' (another
 * process is: look again in a while).
 */
type Claim = { release: () => void } | 'wait' | 'poll';

/** What claims need of the daemon. */
interface ClaimContext {
  stateDir: string;
  maxLog: number;
  logger: Logger;
  entry: (name: string) => Entry | null;
  /** Told of a cut-off run this daemon records interrupted (notifications). */
  observer?: { onRunFinished(entry: Entry, record: Readonly<RunRecord>): void };
}

/**
 * The daemon's side of checkout locks: takes a checkout's lock for a run, lets a `whauto
 * trigger` that waits for it since before the run go first, and, on a stale lock of a cut-off
 * run, takes it over (ends what it left running, holding the checkout meanwhile) before any
 * run starts there.
 */
export class CheckoutClaims {
  /** Checkouts being taken over (count per key): no run starts there until that is done. */
  private readonly held = new Map<string, number>();

  /** `freed`: called when a checkout held for a take-over is free again. */
  constructor(private readonly ctx: ClaimContext, private readonly freed: () => void) {}

  /** Whether checkout `key` is held for a take-over now. */
  holds(key: string): boolean {
    return this.held.has(key);
  }

  /** Claims checkout `key` for the waiting run `run` of `entry` (see Claim). */
  claim(entry: Entry, run: PendingRun, key: string): Claim {
    const { stateDir, logger } = this.ctx;
    // First come, first served: a `whauto trigger` that began waiting for this checkout before
    // this run was accepted goes first. Else the daemon would take the lock back the moment
    // its own run ends, and under steady pushes the trigger would wait for good.
    const first = ahead(waitingTriggers(stateDir, true), { id: run.id, key, since: run.acceptedAt })[0];
    if (first) {
      logger.debug('a whauto trigger waiting for this checkout since before this run goes first', { entry: entry.name, pid: first.pid, run: first.id });
      return 'poll';
    }
    let lock;
    try {
      lock = tryLock(layout.locksDir(stateDir), key, { entry: entry.name, runId: run.id });
    } catch (err) {
      logger.error('cannot take checkout lock', { entry: entry.name, error: (err as Error).message });
      return 'poll';
    }
    if ('heldBy' in lock) {
      logger.debug('checkout busy in another process', { entry: entry.name, pid: lock.heldBy.pid, run: lock.heldBy.runId });
      return 'poll';
    }
    if (lock.tookOver) {
      logger.warn('stale checkout lock taken over', { entry: entry.name, dead_pid: lock.tookOver.pid, run: lock.tookOver.runId });
      // Its run may have left processes in the checkout: they go first (then `freed`).
      if (isRunId(lock.tookOver.runId)) {
        lock.release();
        this.takeOver(lock.tookOver, key, entry.name, run);
        return 'wait';
      }
    }
    return { release: lock.release };
  }

  /**
   * Ends what the run of a dead lock owner left running, holding checkout `key` meanwhile:
   * the next run (`next`, of `entry`) must not share the checkout with them; it replaces the
   * cut-off run when it deploys the same target. Says so in the daemon's log and the cut-off
   * run's log.
   */
  private takeOver(dead: LockOwner, key: string, entry: string, next: PendingRun): void {
    const { stateDir, logger } = this.ctx;
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    takeOver(stateDir, dead, entry, next.target, `run ${next.id}`).then(({ ended, replaced }) => {
      if (replaced) {
        logger.info('cut-off run replaced by the next run', { entry, run: next.id, cut_off: dead.runId });
        const e = this.ctx.entry(entry);
        if (e) this.ctx.observer?.onRunFinished(e, replaced);
      }
      if (ended === 0) return;
      logger.warn('processes left by a cut-off run ended', { entry: dead.entry, run: dead.runId, processes: ended });
      const logFile = layout.runLog(stateDir, dead.entry, dead.runId);
      if (!this.ctx.entry(dead.entry) || !existsSync(logFile)) return;
      const log = openRunLog(logFile, this.ctx.maxLog);
      log.note(`==> whauto: ${ended} process${ended === 1 ? '' : 'es'} this run left running when it was cut off ${ended === 1 ? 'was' : 'were'} ended (SIGTERM, then SIGKILL) before the next run`);
      log.close();
    }).finally(() => {
      const n = (this.held.get(key) ?? 1) - 1;
      if (n > 0) this.held.set(key, n);
      else this.held.delete(key);
      this.freed();
    });
  }

  /**
   * Takes again the locks of the runs that run now (after the state dir was removed and made
   * again: a `trigger` must still find those checkouts busy). A lock another process took
   * meanwhile is logged as an error (the two may overlap now).
   */
  relock(running: Iterable<{ key: string; entry: string; id: string }>): void {
    const { stateDir, logger } = this.ctx;
    for (const r of running) {
      try {
        const again = tryLock(layout.locksDir(stateDir), r.key, { entry: r.entry, runId: r.id });
        if ('heldBy' in again && again.heldBy.pid !== process.pid) {
          logger.error('checkout lock taken by another process while the state dir was gone', { entry: r.entry, run: r.id, pid: again.heldBy.pid, other_run: again.heldBy.runId });
        }
      } catch (err) {
        logger.error('cannot take checkout lock', { entry: r.entry, error: (err as Error).message });
      }
    }
  }
}
