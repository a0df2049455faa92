import type { Logger } from '../log/logger.ts';
import { layout } from '../state/layout.ts';
import { pendingFiles, pendingText, type PendingRun } from '../state/pending.ts';
import { stateWriter } from '../state/writer.ts';

/** Group writes on their way to the state writer at once (see GroupWrites). */
const MAX_WRITES_IN_FLIGHT = 3;

/** A durable promise's settle functions. */
interface Promised {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Settles every promise of `list`: resolved when `err` is null, else rejected with it. */
export function settle(list: Promised[], err: unknown): void {
  for (const p of list) {
    if (err === null) p.resolve();
    else p.reject(err);
  }
}

/** The waiting run of one entry, as the queue keeps it between writes. */
export interface WaitingRun {
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
  promised: Promised[];
}

/**
 * Durable group writes of the waiting runs: each write takes every waiting run changed since
 * the last one began, so a burst of deliveries costs a few fsyncs, not one per delivery. A
 * run's promises settle once a write holding it is on disk (or failed). A waiting run none of
 * whose writes reached the disk is dropped when one fails: every delivery of it is answered
 * 500, so the forge delivers it again, and running it now would deploy twice. One that
 * reached the disk before stays: its 202'd deliveries are owed a run.
 */
export class GroupWrites {
  private scheduled = false;
  private inFlight = 0;
  /** The newest group write failed: deliveries are answered 500 until one goes through. */
  lastFailed = false;
  private readonly writer = stateWriter();

  /** `waiting`: the queue's waiting runs by entry; `written`: told after each write (the queue starts what can start). */
  constructor(
    private readonly stateDir: string,
    private readonly logger: Logger,
    private readonly waiting: Map<string, WaitingRun>,
    private readonly written: () => void,
  ) {}

  /**
   * Schedules a group write of every changed waiting run, once per turn of the event loop
   * (every delivery read in that turn joins it). Up to MAX_WRITES_IN_FLIGHT writes may be
   * on their way: the state writer takes those that queued up while the disk was busy in
   * one batch, the newest content of a file standing for the older, so a delivery waits for
   * at most the write going on and its own, never for the main thread to learn of one first.
   */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.save();
    });
  }

  /** Writes every waiting run again (the state dir was removed and made again). */
  rewriteAll(): void {
    for (const w of this.waiting.values()) w.dirty = true;
    if (this.waiting.size > 0) this.schedule();
  }

  /** Removes the waiting run of `entry` from the state dir (after any write of it still on its way). */
  remove(entry: string): void {
    this.writer.write({ files: [], unlink: pendingFiles(this.stateDir, entry) }).catch(() => undefined);
  }

  private save(): void {
    if (this.inFlight >= MAX_WRITES_IN_FLIGHT) return; // the next one to finish calls again
    const batch = [...this.waiting.values()].filter((w) => w.dirty);
    if (batch.length === 0) return;
    const promised: Promised[] = [];
    const files = batch.map((w) => {
      w.dirty = false;
      promised.push(...w.promised);
      w.promised = [];
      return { file: layout.pending(this.stateDir, w.run.entry), data: pendingText(w.run, `[${w.deliveriesJson}]`, w.payload), durable: true };
    });
    this.inFlight++;
    this.writer.write({ files }).then(() => null, (err: unknown) => err).then((error) => {
      this.inFlight--;
      this.lastFailed = error !== null;
      settle(promised, error);
      for (const w of batch) {
        if (error === null) w.onDisk = true;
        else if (!w.onDisk && this.waiting.get(w.run.entry) === w) this.dropUnwritten(w, error);
      }
      this.written();
      this.save();
    });
  }

  private dropUnwritten(w: WaitingRun, error: unknown): void {
    this.waiting.delete(w.run.entry);
    settle(w.promised, error);
    w.promised = [];
    this.logger.error('run not queued: the state dir cannot be written', {
      entry: w.run.entry, run: w.run.id, deliveries: w.run.deliveries.length, error: error instanceof Error ? error.message : String(error),
    });
  }
}
