import { EventEmitter } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { ownIdentity, processAlive as alive } from '../exec/process-alive.ts';
import type { Trigger } from '../model/names.ts';
import { newRunRecord, type DeliveryRef, type RunRecord } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import type { RunRequest } from '../runs/types.ts';
import { whyNotDeployed } from '../model/deploys.ts';
import type { Entry } from '../settings/types.ts';
import { layout } from '../state/layout.ts';
import { byCodeUnit } from '../state/order.ts';
import { dropPending, listPending, pendingFiles, pendingText, type PendingRun } from '../state/pending.ts';
import { readRegularFile } from '../state/read-json.ts';
import { isRunId, newRunId } from '../model/run-id.ts';
import { listWaiting } from '../state/waiting.ts';
import { stateWriter } from '../state/writer.ts';
import { openRunLog } from '../runs/run-log.ts';
import { checkoutKey } from './checkout-key.ts';
import { staleLocks, tryLock, type LockOwner } from './lock.ts';
import { runOne, type RunContext } from './run-one.ts';
import { recoverCutOff, takeOverFrom } from './recover.ts';

/** Group writes of pending runs on their way to the state writer at once (see scheduleSave). */
const MAX_WRITES_IN_FLIGHT = 3;

/** How often a run waiting for a checkout held by another process looks again (ms). */
const LOCK_POLL_MS = 250;

export interface QueueOptions extends RunContext {
  /** Runs of different checkouts that may go at once. */
  workers: number;
  /** The entry as the current settings say (null: removed by a reload). */
  entry: (name: string) => Entry | null;
}

export interface Accepted {
  entry: string;
  id: string;
  /** True when the delivery joined a run that was already waiting. */
  coalesced: boolean;
  /** Resolves when the delivery is written durably to the state dir; rejects when it cannot be. */
  durable: Promise<void>;
}

interface Running {
  id: string;
  entry: string;
  key: string;
  since: string;
  abort: AbortController;
  done: Promise<RunRecord>;
  /** Writes the run's record again (a no-op until runOne has one). */
  recordNow: () => void;
}

/**
 * The in-process FIFO of runs (SPEC section 6), an EventEmitter: 'start' (RunRequest),
 * 'finish' (RunRecord), 'idle'. Per entry at most one run waits; a delivery for an entry
 * with a waiting run joins it. Runs of the same checkout never overlap (in process: by key;
 * across processes: the lock file); up to `workers` runs of different checkouts go at once.
 * Every accepted run is in the state dir before its `durable` promise resolves.
 */
/** A durable promise's settle functions. */
interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The waiting run of one entry, as the queue keeps it between writes. */
interface Waiting {
  run: PendingRun;
  /** JSON of run.deliveries without the brackets, kept up to date as deliveries join (no re-serialization of a growing list). */
  deliveriesJson: string;
  /** Raw payload of the newest delivery (null: none). */
  payload: Buffer | null;
  /** Changed since its last write began. */
  dirty: boolean;
  /** Some write of it reached the disk (or it was read from there): some delivery of it was answered 202. */
  onDisk: boolean;
  /** Accepts since its last write began, answered once a write holding them is on disk. */
  waiters: Waiter[];
}

const settle = (waiters: Waiter[], err: unknown): void => {
  for (const w of waiters) {
    if (err === null) w.resolve();
    else w.reject(err);
  }
};

/**
 * The in-process FIFO of runs (SPEC section 6), an EventEmitter: 'start' (RunRequest),
 * 'finish' (RunRecord), 'idle'. Per entry at most one run waits; a delivery for an entry
 * with a waiting run joins it. Runs of the same checkout never overlap (in process: by key;
 * across processes: the lock file); up to `workers` runs of different checkouts go at once.
 * Every accepted run is in the state dir before its `durable` promise resolves. All state
 * writes go through the state writer, in order, so a run's start (which removes the pending
 * file) never overtakes a write of that file, and a later write never comes before it.
 */
export class Queue extends EventEmitter {
  private readonly waiting = new Map<string, Waiting>();
  private readonly running = new Map<string, Running>();
  /** Checkouts where a cut-off run's leftover processes are being ended (count per key): no run starts there until they are gone. */
  private readonly held = new Map<string, number>();
  private stopping = false;
  private retry: NodeJS.Timeout | null = null;
  private saveScheduled = false;
  private writesInFlight = 0;
  /** The newest group write failed: deliveries are answered 500 until one goes through. */
  private lastWriteFailed = false;
  /** The newest run's first record could not be written. */
  private lastRecordFailed = false;
  private hurryNow: (() => void) | null = null;
  private readonly writer = stateWriter();

  constructor(private readonly opts: QueueOptions) {
    super();
  }

  /**
   * Accepts a delivery (or a manual request) for `entry`: joins the entry's waiting run or
   * makes a new one, and schedules its durable write to the state dir. `durable` resolves
   * when the write is fsync'd (answer 202 only then) and rejects when the state dir cannot be
   * written (answer 5xx). Writes are grouped: every accept made while a write is going is
   * written by the next one, so a burst costs a few fsyncs, not one per delivery. A run starts
   * only once a write of it reached the disk; deliveries that joined it after that write began
   * are made durable by the run's first record.
   */
  accept(entry: Entry, target: Target, delivery: DeliveryRef | null, payload: Buffer | null, trigger: Trigger = 'webhook'): Accepted {
    let w = this.waiting.get(entry.name);
    const coalesced = w !== undefined;
    if (w) {
      // In place: copying a long deliveries list on every delivery of a burst is quadratic.
      w.run.target = target;
      if (delivery) {
        w.run.deliveries.push(delivery);
        w.deliveriesJson += (w.deliveriesJson ? ',' : '') + JSON.stringify(delivery);
      }
      if (payload) w.payload = payload;
    } else {
      w = {
        run: {
          id: newRunId(), entry: entry.name, trigger, target, deliveries: delivery ? [delivery] : [],
          acceptedAt: new Date().toISOString(),
        },
        deliveriesJson: delivery ? JSON.stringify(delivery) : '',
        payload, dirty: false, onDisk: false, waiters: [],
      };
      this.waiting.set(entry.name, w);
    }
    w.dirty = true;
    const waiters = w.waiters;
    const durable = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    durable.catch(() => undefined); // a caller that returned early must not crash the daemon
    this.scheduleSave();
    return { entry: entry.name, id: w.run.id, coalesced, durable };
  }

  /**
   * Schedules a group write of every changed waiting run, once per turn of the event loop
   * (every delivery read in that turn joins it). Up to MAX_WRITES_IN_FLIGHT writes may be
   * on their way: the state writer takes those that queued up while the disk was busy in
   * one batch, the newest content of a file standing for the older, so a delivery waits for
   * at most the write going on and its own, never for the main thread to learn of one first.
   */
  private scheduleSave(): void {
    if (this.saveScheduled) return;
    this.saveScheduled = true;
    setImmediate(() => {
      this.saveScheduled = false;
      this.save();
    });
  }

  private save(): void {
    if (this.writesInFlight >= MAX_WRITES_IN_FLIGHT) return; // the next one to finish calls again
    const batch = [...this.waiting.values()].filter((w) => w.dirty);
    if (batch.length === 0) return;
    const waiters: Waiter[] = [];
    const files = batch.map((w) => {
      w.dirty = false;
      waiters.push(...w.waiters);
      w.waiters = [];
      return { file: layout.pending(this.opts.stateDir, w.run.entry), data: pendingText(w.run, `[${w.deliveriesJson}]`, w.payload), durable: true };
    });
    this.writesInFlight++;
    this.writer.write({ files }).then(() => null, (err: unknown) => err).then((error) => {
      this.writesInFlight--;
      this.lastWriteFailed = error !== null;
      settle(waiters, error);
      for (const w of batch) {
        if (error === null) w.onDisk = true;
        else if (!w.onDisk && this.waiting.get(w.run.entry) === w) this.dropUnwritten(w, error);
      }
      this.pump();
      this.save();
    });
  }

  /**
   * Drops a waiting run none of whose writes reached the disk: every delivery of it is (or
   * will be) answered 500, so the forge delivers it again, and running it now would deploy
   * twice. One that reached the disk before stays: its 202'd deliveries are owed a run.
   */
  private dropUnwritten(w: Waiting, error: unknown): void {
    this.waiting.delete(w.run.entry);
    settle(w.waiters, error);
    w.waiters = [];
    this.opts.logger.error('run not queued: the state dir cannot be written', {
      entry: w.run.entry, run: w.run.id, deliveries: w.run.deliveries.length, error: error instanceof Error ? error.message : String(error),
    });
  }

  /**
   * Takes back what the state dir says was accepted but not run, and re-queues (trigger
   * 'resumed') entries whose run was cut off by a crash. Call once before serving.
   */
  recover(entries: Entry[]): void {
    const { stateDir, logger } = this.opts;
    const onCorrupt = (file: string, to: string | null, why: string): void => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why });
    for (const { payload, ...p } of listPending(stateDir, onCorrupt)) {
      const why = this.whyNotRun(p);
      if (why) {
        logger.warn('waiting run dropped: the settings no longer deploy it', { entry: p.entry, run: p.id, ref: p.target.name, why });
        dropPending(stateDir, p.entry);
        continue;
      }
      this.waiting.set(p.entry, { run: p, deliveriesJson: JSON.stringify(p.deliveries).slice(1, -1), payload, dirty: false, onDisk: true, waiters: [] });
      logger.info('pending run taken back', { entry: p.entry, run: p.id, deliveries: p.deliveries.length });
    }
    for (const cut of recoverCutOff(stateDir, entries, logger)) this.takeBack(cut);
    this.pump();
  }

  /**
   * Queues again the run `cut` that a crash cut off (already recorded interrupted): the entry's
   * waiting run stands for it when there is one (it deploys the newest tip), else a new run
   * with trigger 'resumed' and its deliveries and payload. Written through the state writer
   * like any accepted run (in order with the writes of the waiting run, if one is on its way).
   */
  private takeBack(cut: RunRecord): void {
    const { stateDir, logger } = this.opts;
    const entry = this.opts.entry(cut.entry);
    if (!entry) return;
    const why = whyNotDeployed(entry, cut.target.kind, cut.target.name);
    if (why) {
      logger.warn('cut-off run not resumed: the settings no longer deploy it', { entry: entry.name, cut_off: cut.id, ref: cut.target.name, why });
      return;
    }
    const waiting = this.waiting.get(cut.entry);
    if (waiting) {
      // In place: the waiting run may have accepts whose 202 waits for its next write.
      const known = new Set(waiting.run.deliveries.map((d) => JSON.stringify(d)));
      waiting.run.deliveries = [...cut.deliveries.filter((d) => !known.has(JSON.stringify(d))), ...waiting.run.deliveries];
      waiting.deliveriesJson = JSON.stringify(waiting.run.deliveries).slice(1, -1);
      waiting.dirty = true;
      this.scheduleSave();
      logger.info('cut-off run covered by the waiting run', { entry: entry.name, run: waiting.run.id, cut_off: cut.id });
      return;
    }
    const run: PendingRun = {
      id: newRunId(), entry: entry.name, trigger: 'resumed', target: cut.target, deliveries: cut.deliveries,
      acceptedAt: new Date().toISOString(),
    };
    // The resumed run gets the cut-off run's payload (WHAUTO_PAYLOAD) when it is still there.
    let payload: Buffer | null = null;
    try { payload = readRegularFile(layout.runPayload(stateDir, entry.name, cut.id)); } catch { /* none */ }
    this.waiting.set(entry.name, { run, deliveriesJson: JSON.stringify(run.deliveries).slice(1, -1), payload, dirty: true, onDisk: false, waiters: [] });
    this.scheduleSave();
    logger.info('cut-off run resumed', { entry: entry.name, run: run.id, cut_off: cut.id });
  }

  /**
   * Takes back runs cut off while this daemon runs (a `trigger` killed with SIGKILL): found by
   * a checkout lock whose owner process is gone, named by a run of a known entry. Cheap when
   * there is none (a look at the few lock files); call now and then (serve: every second).
   */
  takeBackCutOff(): void {
    const entries = new Map<string, Entry>();
    for (const owner of staleLocks(layout.locksDir(this.opts.stateDir))) {
      const entry = isRunId(owner.runId) ? this.opts.entry(owner.entry) : null;
      if (entry) entries.set(entry.name, entry);
    }
    if (entries.size === 0) return;
    for (const cut of recoverCutOff(this.opts.stateDir, [...entries.values()], this.opts.logger)) this.takeBack(cut);
    this.pump();
  }

  /**
   * Ends what the run of a dead lock owner left running (a SIGKILL of the daemon, or of a
   * `trigger`, does not end its commands), holding the checkout `key` meanwhile: the next run
   * (`next`, of `entry`) must not share the checkout with them; it stands for the cut-off run
   * when it deploys the same target (see takeOverFrom). Says so in the daemon's log and the
   * cut-off run's log.
   */
  private takeOver(dead: LockOwner, key: string, entry: string, next: PendingRun): void {
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    takeOverFrom(this.opts.stateDir, dead, entry, next.target, `run ${next.id}`).then(({ ended, covered }) => {
      if (covered) this.opts.logger.info('cut-off run covered by the next run', { entry, run: next.id, cut_off: dead.runId });
      if (ended === 0) return;
      this.opts.logger.warn('processes left by a cut-off run ended', { entry: dead.entry, run: dead.runId, processes: ended });
      const logFile = layout.runLog(this.opts.stateDir, dead.entry, dead.runId);
      if (!this.opts.entry(dead.entry) || !existsSync(logFile)) return;
      const log = openRunLog(logFile, this.opts.maxLog);
      log.note(`==> whauto: ${ended} process${ended === 1 ? '' : 'es'} this run left running when it was cut off ${ended === 1 ? 'was' : 'were'} ended (SIGTERM, then SIGKILL) before the next run`);
      log.close();
    }).finally(() => {
      const n = (this.held.get(key) ?? 1) - 1;
      if (n > 0) this.held.set(key, n);
      else this.held.delete(key);
      this.pump();
    });
  }

  /**
   * After the state dir was removed and made again: writes the waiting runs' files and the
   * running runs' records again, and takes again the running runs' checkout locks (a
   * `trigger` must still find those checkouts busy). A lock another process took meanwhile
   * is logged as an error (the two may overlap now).
   */
  relock(): void {
    // The waiting runs' files went too: written again, so a crash now loses none of them.
    for (const w of this.waiting.values()) w.dirty = true;
    if (this.waiting.size > 0) this.scheduleSave();
    for (const r of this.running.values()) {
      // Its record went with the state dir: without it, status shows the entry idle.
      r.recordNow();
      try {
        const again = tryLock(layout.locksDir(this.opts.stateDir), r.key, { entry: r.entry, runId: r.id });
        if ('heldBy' in again && again.heldBy.pid !== process.pid) {
          this.opts.logger.error('checkout lock taken by another process while the state dir was gone', { entry: r.entry, run: r.id, pid: again.heldBy.pid, other_run: again.heldBy.runId });
        }
      } catch (err) {
        this.opts.logger.error('cannot take checkout lock', { entry: r.entry, error: (err as Error).message });
      }
    }
  }

  /**
   * Whether accepted deliveries and runs can be recorded now: the newest group write and the
   * newest run's first record went through, and the queue folder is there. For /healthz (a
   * stat per call).
   */
  canRecord(): boolean {
    if (this.lastWriteFailed || this.lastRecordFailed) return false;
    try {
      return statSync(layout.queueDir(this.opts.stateDir)).isDirectory();
    } catch {
      return false;
    }
  }

  /** What runs now and what waits, for logs and metrics. */
  snapshot(): { running: Array<{ entry: string; id: string; since: string }>; waiting: Array<{ entry: string; id: string; deliveries: number }> } {
    return {
      running: [...this.running.values()].map((r) => ({ entry: r.entry, id: r.id, since: r.since })),
      waiting: [...this.waiting.values()].map(({ run }) => ({ entry: run.entry, id: run.id, deliveries: run.deliveries.length })),
    };
  }

  /**
   * Stops starting runs; waits up to `timeoutMs` (or until hurry() is called) for running
   * ones, then aborts them (their process groups are killed and they are recorded
   * 'interrupted'). Waiting runs stay in the state dir for the next start.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    if (this.retry) clearTimeout(this.retry);
    const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((res) => {
        timer = setTimeout(() => res(true), timeoutMs);
        this.hurryNow = () => res(true);
      }),
    ]);
    clearTimeout(timer);
    this.hurryNow = null;
    if (timedOut) {
      for (const r of this.running.values()) r.abort.abort();
      await all();
    }
  }

  /**
   * After a reload: drops the waiting runs the new settings would not run (their entry
   * removed, or no longer deploying their branch or tag), then starts what can start.
   */
  settingsChanged(): void {
    for (const w of [...this.waiting.values()]) this.dropIfNotRun(w);
    this.pump();
  }

  /** Why the current settings would not run `run` (see whyNotDeployed), else null. */
  private whyNotRun(run: PendingRun): string | null {
    const entry = this.opts.entry(run.entry);
    if (!entry) return `entry '${run.entry}' is no longer in the settings`;
    return whyNotDeployed(entry, run.target.kind, run.target.name);
  }

  /**
   * Drops the waiting run `w` when the current settings would not run it: its deliveries got
   * their 202 under the old settings, but a reload that stops deploying a branch (or removes
   * the entry) means no more deploys of it. Returns whether it was dropped.
   */
  private dropIfNotRun(w: Waiting): boolean {
    const why = this.whyNotRun(w.run);
    if (!why) return false;
    const name = w.run.entry;
    this.waiting.delete(name);
    this.opts.logger.warn('waiting run dropped: the settings no longer deploy it', { entry: name, run: w.run.id, ref: w.run.target.name, why });
    // Through the writer: after any write of the file still on its way.
    this.writer.write({ files: [], unlink: pendingFiles(this.opts.stateDir, name) }).catch(() => undefined);
    settle(w.waiters, null); // written before (or never needed): the run is dropped
    return true;
  }

  /** During drain(): stop waiting and interrupt the running runs now (a second SIGTERM). */
  hurry(): void {
    this.hurryNow?.();
  }

  private pump(): void {
    if (this.stopping) return;
    let blocked = false;
    for (const w of [...this.waiting.values()]) {
      if (this.running.size >= this.opts.workers) break;
      // settingsChanged drops what a reload no longer deploys; an entry gone is the guard left here.
      const entry = this.opts.entry(w.run.entry);
      if (!entry) {
        this.dropIfNotRun(w);
        continue;
      }
      // Not before a write of it reached the disk (the write's end pumps again): if none can,
      // its deliveries are answered 500 and it is dropped, not run (see dropUnwritten).
      if (!w.onDisk) continue;
      const key = checkoutKey(entry);
      if (this.held.has(key) || [...this.running.values()].some((r) => r.key === key)) continue;
      // First come, first served: a `whauto trigger` that began waiting for this checkout before
      // this run was accepted goes first. Else the daemon would take the lock back the moment
      // its own run ends, and under steady pushes the trigger would wait for good.
      const manual = listWaiting(this.opts.stateDir, alive).find((t) => t.key === key && byCodeUnit(t.since, w.run.acceptedAt) < 0);
      if (manual) {
        this.opts.logger.debug('a whauto trigger waiting for this checkout since before this run goes first', { entry: entry.name, pid: manual.pid, run: manual.id });
        blocked = true;
        continue;
      }
      let lock;
      try {
        lock = tryLock(layout.locksDir(this.opts.stateDir), key, { entry: entry.name, runId: w.run.id });
      } catch (err) {
        this.opts.logger.error('cannot take checkout lock', { entry: entry.name, error: (err as Error).message });
        blocked = true;
        continue;
      }
      if ('heldBy' in lock) {
        this.opts.logger.debug('checkout busy in another process', { entry: entry.name, pid: lock.heldBy.pid, run: lock.heldBy.runId });
        blocked = true;
        continue;
      }
      if (lock.tookOver) {
        this.opts.logger.warn('stale checkout lock taken over', { entry: entry.name, dead_pid: lock.tookOver.pid, run: lock.tookOver.runId });
        // Its run may have left processes in the checkout: they go first (the next pump starts the run).
        if (isRunId(lock.tookOver.runId)) {
          lock.release();
          this.takeOver(lock.tookOver, key, entry.name, w.run);
          continue;
        }
      }
      this.waiting.delete(entry.name);
      this.start(entry, w, key, lock.release);
    }
    if (blocked && !this.retry) {
      this.retry = setTimeout(() => {
        this.retry = null;
        this.pump();
      }, LOCK_POLL_MS);
    }
    if (this.running.size === 0 && this.waiting.size === 0) this.emit('idle');
  }

  private start(entry: Entry, w: Waiting, key: string, release: () => void): void {
    const { stateDir } = this.opts;
    const pending = w.run;
    const req: RunRequest = {
      id: pending.id, entry, trigger: pending.trigger, target: pending.target, deliveries: pending.deliveries, payloadFile: null,
    };
    // Deliveries joined since the last group write are made durable by the run's first record
    // (which holds them all); the pending file goes once that record is on disk.
    const waiters = w.waiters;
    w.waiters = [];
    const abort = new AbortController();
    let recordNow: (() => void) | undefined;
    const done = runOne(req, this.opts, {
      signal: abort.signal,
      payload: w.payload,
      take: pendingFiles(stateDir, entry.name),
      onRecorded: (err) => {
        // A run that cannot be recorded is not healthy either (its pending run stays, status cannot show it).
        this.lastRecordFailed = err !== null;
        settle(waiters, err);
      },
      onRecorder: (fn) => { recordNow = fn; },
    }).catch((err: unknown): RunRecord => {
      // runOne records failures itself; this is the last guard so the worker never dies.
      this.opts.logger.error('run crashed', { entry: entry.name, run: req.id, error: err instanceof Error ? err.message : String(err) });
      const record = newRunRecord({
        id: req.id, entry: entry.name, trigger: req.trigger, target: req.target, deliveries: req.deliveries,
        logFile: layout.runLog(stateDir, entry.name, req.id), owner: { pid: process.pid, ...ownIdentity() },
      });
      return { ...record, endedAt: new Date().toISOString(), result: 'failed', message: String(err) };
    }).then((record) => {
      release();
      this.running.delete(req.id);
      this.emit('finish', record);
      this.pump();
      return record;
    });
    this.running.set(req.id, { id: req.id, entry: entry.name, key, since: new Date().toISOString(), abort, done, recordNow: () => recordNow?.() });
    this.emit('start', req);
  }
}
