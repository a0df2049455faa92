import { processAlive } from '../exec/process-alive.ts';
import type { Target } from '../model/target.ts';
import { layout } from '../state/layout.ts';
import { byCodeUnit } from '../state/order.ts';
import { listPending, type PendingRun } from '../state/pending.ts';
import { listWaiting } from '../state/waiting.ts';
import { DAEMON_LOCK_KEY, lockHolder } from './lock.ts';

/**
 * One that waits for a checkout: a `whauto trigger` (it has no run record until it runs) or
 * a run the daemon accepted and has not started.
 */
export interface Waiter {
  kind: 'trigger' | 'run';
  /** The run id it has (a run) or will use (a trigger). */
  id: string;
  entry: string;
  /** The checkout it waits for (checkoutKey). */
  key: string;
  /** ISO time it began waiting: when the trigger began its wait, or when the run was accepted. */
  since: string;
  /** What it deploys. */
  target: Target;
  /** A trigger's process. */
  pid?: number;
}

/** Who holds a checkout now: the run on it and, when known from its lock, its process. */
export interface Holder {
  entry: string;
  run: string;
  pid?: number;
}

/** Whether a daemon runs on `stateDir` now (its lock has a live owner). Only reads. */
export function daemonUp(stateDir: string): boolean {
  return lockHolder(layout.locksDir(stateDir), DAEMON_LOCK_KEY) !== null;
}

/**
 * The `whauto trigger`s waiting for a checkout, oldest first. `sweep`: the records of those
 * killed while they waited are removed (false for read-only readers such as `status`).
 */
export function waitingTriggers(stateDir: string, sweep: boolean): Waiter[] {
  return listWaiting(stateDir, processAlive, sweep).map((t) => ({ kind: 'trigger', id: t.id, entry: t.entry, key: t.key, since: t.since, target: t.target, pid: t.pid }));
}

/**
 * Everyone waiting for a checkout as a process beside the daemon sees it, oldest first: the
 * waiting triggers, and the daemon's accepted runs (`pending`, read from the state dir when not
 * given) only while a daemon runs to start them: with none, they hold nobody up. `keyOf` gives
 * an entry's checkout key (undefined: an entry these settings do not have; its runs are left
 * out). The daemon itself asks waitingTriggers only: its own runs wait in its FIFO.
 */
export function waiters(stateDir: string, keyOf: (entry: string) => string | undefined, opts: { sweep: boolean; pending?: PendingRun[] }): Waiter[] {
  const triggers = waitingTriggers(stateDir, opts.sweep);
  if (!daemonUp(stateDir)) return triggers;
  const runs: Waiter[] = [];
  for (const p of opts.pending ?? listPending(stateDir, () => undefined, { setAside: false })) {
    const key = keyOf(p.entry);
    if (key !== undefined) runs.push({ kind: 'run', id: p.id, entry: p.entry, key, since: p.acceptedAt, target: p.target });
  }
  return [...triggers, ...runs].sort((a, b) => byCodeUnit(a.since, b.since));
}

/**
 * First come, first served: of `all`, those that wait for `me`'s checkout since before `me`
 * began waiting, and so go before it, oldest first.
 */
export function ahead(all: readonly Waiter[], me: Pick<Waiter, 'id' | 'key' | 'since'>): Waiter[] {
  return all.filter((w) => w.key === me.key && w.id !== me.id && byCodeUnit(w.since, me.since) < 0);
}

/**
 * Who holds each checkout: a live run the records show (`running`, by its entry's key), else
 * the live owner of the checkout's lock (a run of another settings file on it, a run whose
 * record was lost). `keys`: the checkouts to look at. Reads one lock file per key not held by
 * a known run.
 */
export function holders(stateDir: string, keys: Iterable<string>, running: Array<{ key: string; entry: string; id: string }>): Map<string, Holder> {
  const out = new Map<string, Holder>();
  for (const r of running) out.set(r.key, { entry: r.entry, run: r.id });
  for (const key of keys) {
    if (out.has(key)) continue;
    const lock = lockHolder(layout.locksDir(stateDir), key);
    if (lock) out.set(key, { entry: lock.entry, run: lock.runId, pid: lock.pid });
  }
  return out;
}
