import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Logger } from '../log/logger.ts';
import type { DeliveryRef, RunRecord, RunRequest, Target, Trigger } from '../runs/types.ts';
import type { Entry } from '../settings/types.ts';
import { writeFileAtomic } from '../state/atomic.ts';
import { layout } from '../state/layout.ts';
import { listPending, savePending, savePendingAsync, takePending, type PendingRun } from '../state/pending.ts';
import { newRunId } from '../state/run-id.ts';
import { checkoutKey } from './checkout-key.ts';
import { tryLock } from './lock.ts';
import { runOne, type RunContext } from './run-one.ts';
import { recoverCutOff } from './recover.ts';

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
}

/**
 * The in-process FIFO of runs (SPEC section 6), an EventEmitter: 'start' (RunRequest),
 * 'finish' (RunRecord), 'idle'. Per entry at most one run waits; a delivery for an entry
 * with a waiting run joins it. Runs of the same checkout never overlap (in process: by key;
 * across processes: the lock file); up to `workers` runs of different checkouts go at once.
 * Every accepted run is in the state dir before its `durable` promise resolves.
 */
export class Queue extends EventEmitter {
  private readonly waiting = new Map<string, PendingRun>();
  private readonly running = new Map<string, Running>();
  private stopping = false;
  private retry: NodeJS.Timeout | null = null;
  /** Group commit: entries whose waiting run changed since its last write → newest payload. */
  private unsaved = new Map<string, Buffer | null>();
  private saveWaiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private saving = false;
  private inSave = new Set<string>();
  private hurryNow: (() => void) | null = null;

  constructor(private readonly opts: QueueOptions) {
    super();
  }

  /**
   * Accepts a delivery (or a manual request) for `entry`: joins the entry's waiting run or
   * makes a new one, and schedules its durable write to the state dir. `durable` resolves
   * when the write is fsync'd (answer 202 only then) and rejects when the state dir cannot be
   * written (answer 5xx). Writes are grouped: every accept made while a write is going is
   * written by the next one, so a burst costs a few fsyncs, not one per delivery. A run that
   * starts before its newest deliveries were written makes them durable with its first record.
   */
  accept(entry: Entry, target: Target, delivery: DeliveryRef | null, payload: Buffer | null, trigger: Trigger = 'webhook'): Accepted {
    let pending = this.waiting.get(entry.name);
    const coalesced = pending !== undefined;
    if (pending) {
      // In place: copying a long deliveries list on every delivery of a burst is quadratic.
      pending.target = target;
      if (delivery) pending.deliveries.push(delivery);
    } else {
      pending = {
        id: newRunId(), entry: entry.name, trigger, target, deliveries: delivery ? [delivery] : [],
        acceptedAt: new Date().toISOString(), hasPayload: false,
      };
      this.waiting.set(entry.name, pending);
    }
    this.unsaved.set(entry.name, payload ?? this.unsaved.get(entry.name) ?? null);
    const durable = new Promise<void>((resolve, reject) => this.saveWaiters.push({ resolve, reject }));
    durable.catch(() => undefined); // a caller that returned early must not crash the daemon
    if (!this.saving) void this.save();
    return { entry: entry.name, id: pending.id, coalesced, durable };
  }

  /** Writes every changed waiting run (group commit) until nothing is left unsaved, then pumps. */
  private async save(): Promise<void> {
    this.saving = true;
    while (this.unsaved.size > 0 || this.saveWaiters.length > 0) {
      const batch = this.unsaved;
      const waiters = this.saveWaiters;
      this.unsaved = new Map();
      this.saveWaiters = [];
      this.inSave = new Set(batch.keys());
      const writes: Array<Promise<void>> = [];
      const written: PendingRun[] = [];
      for (const [name, payload] of batch) {
        const pending = this.waiting.get(name);
        if (!pending) continue;
        writes.push(savePendingAsync(this.opts.stateDir, pending, payload));
        if (payload) written.push(pending);
      }
      try {
        await Promise.all(writes);
        for (const p of written) p.hasPayload = true;
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
      this.inSave = new Set();
      // Between writes, so that a steady stream of deliveries cannot keep a waiting run from
      // starting; after the answers are out (a run's start does synchronous work).
      await new Promise<void>((r) => setImmediate(r));
      this.pump();
    }
    this.saving = false;
  }

  /**
   * Takes back what the state dir says was accepted but not run, and re-queues (trigger
   * 'resumed') entries whose run was cut off by a crash. Call once before serving.
   */
  recover(entries: Entry[]): void {
    const { stateDir, logger } = this.opts;
    const onCorrupt = (file: string, to: string | null, why: string): void => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why });
    for (const p of listPending(stateDir, onCorrupt)) {
      if (!this.opts.entry(p.entry)) {
        logger.warn('pending run of an entry no longer in the settings dropped', { entry: p.entry, run: p.id });
        takePending(stateDir, p.entry, layout.runPayload(stateDir, p.entry, p.id));
        continue;
      }
      this.waiting.set(p.entry, p);
      logger.info('pending run taken back', { entry: p.entry, run: p.id, deliveries: p.deliveries.length });
    }
    for (const cut of recoverCutOff(stateDir, entries, logger)) {
      const entry = this.opts.entry(cut.entry);
      if (!entry) continue;
      const waiting = this.waiting.get(cut.entry);
      if (waiting) {
        // The waiting run deploys the newest tip anyway: it stands for the cut-off run's deliveries too.
        const known = new Set(waiting.deliveries.map((d) => JSON.stringify(d)));
        const merged = { ...waiting, deliveries: [...cut.deliveries.filter((d) => !known.has(JSON.stringify(d))), ...waiting.deliveries] };
        try {
          savePending(stateDir, merged, null);
          this.waiting.set(cut.entry, merged);
        } catch (err) {
          logger.error('cannot write pending run', { entry: entry.name, run: waiting.id, error: (err as Error).message });
        }
        logger.info('cut-off run covered by the waiting run', { entry: entry.name, run: waiting.id, cut_off: cut.id });
        continue;
      }
      const pending: PendingRun = {
        id: newRunId(), entry: entry.name, trigger: 'resumed', target: cut.target, deliveries: cut.deliveries,
        acceptedAt: new Date().toISOString(), hasPayload: false,
      };
      // The resumed run gets the cut-off run's payload (WHAUTO_PAYLOAD) when it is still there.
      let payload: Buffer | null = null;
      try { payload = readFileSync(layout.runPayload(stateDir, entry.name, cut.id)); } catch { /* none */ }
      try {
        savePending(stateDir, pending, payload);
        if (payload) pending.hasPayload = true;
      } catch (err) {
        logger.error('cannot write pending run; it runs but would not survive another crash', { entry: entry.name, run: pending.id, error: (err as Error).message });
      }
      this.waiting.set(entry.name, pending);
      logger.info('cut-off run resumed', { entry: entry.name, run: pending.id, cut_off: cut.id });
    }
    this.pump();
  }

  /** What runs now and what waits, for logs and metrics. */
  snapshot(): { running: Array<{ entry: string; id: string; since: string }>; waiting: Array<{ entry: string; id: string; deliveries: number }> } {
    return {
      running: [...this.running.values()].map((r) => ({ entry: r.entry, id: r.id, since: r.since })),
      waiting: [...this.waiting.values()].map((p) => ({ entry: p.entry, id: p.id, deliveries: p.deliveries.length })),
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

  /** During drain(): stop waiting and interrupt the running runs now (a second SIGTERM). */
  hurry(): void {
    this.hurryNow?.();
  }

  private pump(): void {
    if (this.stopping) return;
    let blocked = false;
    for (const pending of [...this.waiting.values()]) {
      if (this.running.size >= this.opts.workers) break;
      // No group write may race its takePending.
      if (this.inSave.has(pending.entry)) continue;
      const entry = this.opts.entry(pending.entry);
      if (!entry) {
        this.waiting.delete(pending.entry);
        this.opts.logger.warn('pending run of an entry no longer in the settings dropped', { entry: pending.entry, run: pending.id });
        takePending(this.opts.stateDir, pending.entry, layout.runPayload(this.opts.stateDir, pending.entry, pending.id));
        continue;
      }
      const key = checkoutKey(entry);
      if ([...this.running.values()].some((r) => r.key === key)) continue;
      let lock;
      try {
        lock = tryLock(layout.locksDir(this.opts.stateDir), key, { entry: entry.name, runId: pending.id });
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
      }
      this.waiting.delete(entry.name);
      this.start(entry, pending, key, lock.release);
    }
    if (blocked && !this.retry) {
      this.retry = setTimeout(() => {
        this.retry = null;
        this.pump();
      }, LOCK_POLL_MS);
    }
    if (this.running.size === 0 && this.waiting.size === 0) this.emit('idle');
  }

  private start(entry: Entry, pending: PendingRun, key: string, release: () => void): void {
    const { stateDir } = this.opts;
    const req: RunRequest = {
      id: pending.id, entry, trigger: pending.trigger, target: pending.target, deliveries: pending.deliveries,
      payloadFile: pending.hasPayload ? layout.runPayload(stateDir, entry.name, pending.id) : null,
    };
    // Deliveries joined since the last group write are made durable by the run's first record;
    // the newest payload among them is written for the run here.
    const newer = this.unsaved.get(entry.name) ?? null;
    this.unsaved.delete(entry.name);
    const abort = new AbortController();
    const done = runOne(req, this.opts, {
      signal: abort.signal,
      beforeStart: () => {
        const to = layout.runPayload(stateDir, entry.name, pending.id);
        const moved = takePending(stateDir, entry.name, to);
        let written = false;
        if (newer) {
          try {
            writeFileAtomic(to, newer);
            written = true;
          } catch (err) {
            this.opts.logger.error('cannot write the payload of the run', { entry: entry.name, run: req.id, error: (err as Error).message });
          }
        }
        req.payloadFile = moved || written ? to : null;
      },
    }).catch((err: unknown): RunRecord => {
      // runOne records failures itself; this is the last guard so the worker never dies.
      this.opts.logger.error('run crashed', { entry: entry.name, run: req.id, error: err instanceof Error ? err.message : String(err) });
      return {
        id: req.id, entry: entry.name, trigger: req.trigger, target: req.target, deliveries: req.deliveries, previous: null, commit: null,
        startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), step: null, steps: [], result: 'failed',
        message: String(err), pid: process.pid, logFile: layout.runLog(stateDir, entry.name, req.id),
      };
    }).then((record) => {
      release();
      this.running.delete(req.id);
      this.emit('finish', record);
      this.pump();
      return record;
    });
    this.running.set(req.id, { id: req.id, entry: entry.name, key, since: new Date().toISOString(), abort, done });
    this.emit('start', req);
  }
}
