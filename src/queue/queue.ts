import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { checkoutKey } from '../checkouts/checkout-key.ts';
import { staleLocks } from '../checkouts/lock.ts';
import { ownIdentity } from '../exec/process-alive.ts';
import type { Trigger } from '../model/names.ts';
import { isRunId, newRunId } from '../model/run-id.ts';
import { newRunRecord, type DeliveryRef, type RunRecord } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import type { RunRequest } from '../runs/types.ts';
import type { Entry } from '../settings/types.ts';
import { layout } from '../state/layout.ts';
import { joinDeliveries } from '../state/pending.ts';
import { CheckoutClaims } from './claim.ts';
import { GroupWrites, settle, type WaitingRun } from './group-write.ts';
import { recordCutOff } from './recover.ts';
import { readBack, resume, whyNotRun, type Requeue } from './resume.ts';
import { runOne, type RunContext } from './run-one.ts';

/** How often a run waiting for a checkout held by another process looks again (ms). */
const LOCK_POLL_MS = 250;

interface QueueOptions extends RunContext {
  /** Runs of different checkouts that may go at once. */
  workers: number;
  /** The entry as the current settings say (null: removed by a reload). */
  entry: (name: string) => Entry | null;
}

interface Accepted {
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
 * across processes: the lock file, see CheckoutClaims); up to `workers` runs of different
 * checkouts go at once. Every accepted run is in the state dir before its `durable` promise
 * resolves (see GroupWrites); what a crash cut off is resumed (see resume.ts).
 */
export class Queue extends EventEmitter {
  private readonly waiting = new Map<string, WaitingRun>();
  private readonly running = new Map<string, Running>();
  private stopping = false;
  private retry: NodeJS.Timeout | null = null;
  /** The newest run's first record could not be written. */
  private lastRecordFailed = false;
  private hurryNow: (() => void) | null = null;
  private readonly writes: GroupWrites;
  private readonly claims: CheckoutClaims;

  constructor(private readonly opts: QueueOptions) {
    super();
    this.writes = new GroupWrites(opts.stateDir, opts.logger, this.waiting, () => this.pump());
    this.claims = new CheckoutClaims(opts, () => this.pump());
  }

  private get requeue(): Requeue {
    return { stateDir: this.opts.stateDir, logger: this.opts.logger, waiting: this.waiting, writes: this.writes, entry: this.opts.entry };
  }

  /**
   * Accepts a delivery (or a manual request) for `entry`: joins the entry's waiting run or
   * makes a new one, and schedules its durable write to the state dir. `durable` resolves
   * when the write is on disk (answer 202 only then) and rejects when the state dir cannot be
   * written (answer 5xx). A run starts only once a write of it reached the disk; deliveries
   * that joined it after that write began are made durable by the run's first record.
   */
  accept(entry: Entry, target: Target, delivery: DeliveryRef | null, payload: Buffer | null, trigger: Trigger = 'webhook'): Accepted {
    let w = this.waiting.get(entry.name);
    const coalesced = w !== undefined;
    if (w) {
      // In place, and bounded: the run keeps the newest deliveries and counts them all.
      w.run.target = target;
      if (delivery) {
        w.run.deliveries = joinDeliveries(w.run.deliveries, [delivery]);
        w.run.deliveryCount++;
      }
      if (payload) w.payload = payload;
    } else {
      w = {
        run: {
          id: newRunId(), entry: entry.name, trigger, target, deliveries: delivery ? [delivery] : [], deliveryCount: delivery ? 1 : 0,
          acceptedAt: new Date().toISOString(),
        },
        payload, dirty: false, onDisk: false, promised: [],
      };
      this.waiting.set(entry.name, w);
    }
    w.dirty = true;
    const promised = w.promised;
    const durable = new Promise<void>((resolve, reject) => promised.push({ resolve, reject }));
    durable.catch(() => undefined); // a caller that returned early must not crash the daemon
    this.writes.schedule();
    return { entry: entry.name, id: w.run.id, coalesced, durable };
  }

  /**
   * Reads back what the state dir says was accepted but not started, and resumes the runs of
   * `entries` a crash cut off. Call once before serving.
   */
  recover(entries: Entry[]): void {
    this.writes.prepare();
    readBack(this.requeue);
    this.resumeEach(entries, recordCutOff(this.opts.stateDir, entries, this.opts.logger, true));
    this.pump();
  }

  /**
   * Resumes each run `cut` off, once its interrupted record is told (notifications, a commit
   * status left pending ends as error): its process died before it could tell.
   */
  private resumeEach(entries: Entry[], cut: RunRecord[]): void {
    for (const record of cut) {
      const entry = entries.find((e) => e.name === record.entry);
      if (entry) this.opts.observer?.onRunFinished(entry, record);
      resume(this.requeue, record);
    }
  }

  /**
   * Resumes runs cut off while this daemon runs (a `trigger` killed with SIGKILL): found by a
   * checkout lock whose owner process is gone, named by a run of a known entry. Cheap when
   * there is none (a look at the few lock files); call now and then (serve: every second).
   */
  resumeCutOff(): void {
    const entries = new Map<string, Entry>();
    for (const owner of staleLocks(layout.locksDir(this.opts.stateDir))) {
      const entry = isRunId(owner.runId) ? this.opts.entry(owner.entry) : null;
      if (entry) entries.set(entry.name, entry);
    }
    if (entries.size === 0) return;
    this.resumeEach([...entries.values()], recordCutOff(this.opts.stateDir, [...entries.values()], this.opts.logger));
    this.pump();
  }

  /**
   * After the state dir was removed and made again: writes the waiting runs and the running
   * runs' records again, and takes again the running runs' checkout locks.
   */
  relock(): void {
    // The waiting runs' files went too: written again, so a crash now loses none of them.
    this.writes.rewriteAll();
    // The records went with the state dir: without them, status shows the entries idle.
    for (const r of this.running.values()) r.recordNow();
    this.claims.relock(this.running.values());
  }

  /**
   * Whether accepted deliveries and runs can be recorded now: the newest group write and the
   * newest run's first record went through, and the queue folder is there. For /healthz (a
   * stat per call).
   */
  canRecord(): boolean {
    if (this.writes.lastFailed || this.lastRecordFailed) return false;
    try {
      return statSync(layout.queueDir(this.opts.stateDir)).isDirectory();
    } catch {
      return false;
    }
  }

  /** What runs now and what waits (with the target it deploys), for logs, metrics and the poller. */
  snapshot(): { running: Array<{ entry: string; id: string; since: string }>; waiting: Array<{ entry: string; id: string; deliveries: number; target: Target }> } {
    return {
      running: [...this.running.values()].map((r) => ({ entry: r.entry, id: r.id, since: r.since })),
      waiting: [...this.waiting.values()].map(({ run }) => ({ entry: run.entry, id: run.id, deliveries: run.deliveryCount, target: run.target })),
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

  /**
   * After a reload: drops the waiting runs the new settings would not run (their entry
   * removed, or no longer deploying their branch or tag), then starts what can start.
   */
  settingsChanged(): void {
    for (const w of [...this.waiting.values()]) this.dropIfNotRun(w);
    this.pump();
  }

  /**
   * Drops the waiting run `w` when the current settings would not run it: its deliveries got
   * their 202 under the old settings, but a reload that stops deploying a branch (or removes
   * the entry) means no more deploys of it.
   */
  private dropIfNotRun(w: WaitingRun): void {
    const why = whyNotRun(this.opts.entry(w.run.entry), w.run);
    if (!why) return;
    const name = w.run.entry;
    this.waiting.delete(name);
    this.opts.logger.warn('waiting run dropped: the settings no longer deploy it', { entry: name, run: w.run.id, ref: w.run.target.name, why });
    void this.writes.gone(w.run.id);
    settle(w.promised, null); // written before (or never needed): the run is dropped
  }

  /** The worker loop: starts, oldest first, every waiting run that a worker and its checkout are free for. */
  private pump(): void {
    if (this.stopping) return;
    let poll = false;
    for (const w of [...this.waiting.values()]) {
      if (this.running.size >= this.opts.workers) break;
      // settingsChanged drops what a reload no longer deploys; an entry gone is the guard left here.
      const entry = this.opts.entry(w.run.entry);
      if (!entry) {
        this.dropIfNotRun(w);
        continue;
      }
      // Not before a write of it reached the disk (the write's end pumps again): if none can,
      // its deliveries are answered 500 and it is dropped, not run (see GroupWrites).
      if (!w.onDisk) continue;
      const key = checkoutKey(entry);
      if (this.claims.holds(key) || [...this.running.values()].some((r) => r.key === key)) continue;
      const claim = this.claims.claim(entry, w.run, key);
      if (claim === 'poll') poll = true;
      if (typeof claim === 'string') continue;
      this.waiting.delete(entry.name);
      this.start(entry, w, key, claim.release);
    }
    if (poll && !this.retry) {
      this.retry = setTimeout(() => {
        this.retry = null;
        this.pump();
      }, LOCK_POLL_MS);
    }
    if (this.running.size === 0 && this.waiting.size === 0) this.emit('idle');
  }

  private start(entry: Entry, w: WaitingRun, key: string, release: () => void): void {
    const { stateDir } = this.opts;
    const pending = w.run;
    const req: RunRequest = {
      id: pending.id, entry, trigger: pending.trigger, target: pending.target, deliveries: pending.deliveries,
      deliveryCount: pending.deliveryCount, payloadFile: null,
    };
    // The journal keeps the run until its final record is on disk; deliveries joined since the
    // last group write began are answered by the next one, which holds the run as it starts.
    this.writes.start(w);
    const abort = new AbortController();
    let recordNow: (() => void) | undefined;
    const done = runOne(req, this.opts, {
      signal: abort.signal,
      payload: w.payload,
      take: () => this.writes.gone(req.id),
      onRecorded: (err) => {
        // A run that cannot be recorded is not healthy either (status cannot show it).
        this.lastRecordFailed = err !== null;
      },
      onRecorder: (fn) => { recordNow = fn; },
    }).catch((err: unknown): RunRecord => {
      // runOne records failures itself; this is the last guard so the worker never dies.
      this.opts.logger.error('run crashed', { entry: entry.name, run: req.id, error: err instanceof Error ? err.message : String(err) });
      const record = newRunRecord({
        id: req.id, entry: entry.name, trigger: req.trigger, target: req.target, deliveries: req.deliveries, deliveryCount: req.deliveryCount,
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
