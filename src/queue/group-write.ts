import { unlinkSync } from 'node:fs';
import type { Logger } from '../log/logger.ts';
import { JournalWriter, type Frame } from '../state/journal.ts';
import { goneItem, pendingItem, type PendingRun } from '../state/pending.ts';

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
  /** Raw payload of the newest delivery (null: none). */
  payload: Buffer | null;
  /** Changed since its last write began. */
  dirty: boolean;
  /** Some write of it reached the disk (or it was read from there): some delivery of it was answered 202. */
  onDisk: boolean;
  /** Accepts since its last write began, answered once a write holding them is on disk. */
  promised: Promised[];
}

/** The frame of `runs`: an item per run, its payload as a blob. */
function frameOf(runs: Iterable<WaitingRun>, gone: string[] = []): Frame {
  const frame: Frame = { items: [], blobs: [] };
  for (const w of runs) frame.items.push(pendingItem(w.run, w.payload ? frame.blobs.push(w.payload) - 1 : null));
  for (const id of gone) frame.items.push(goneItem(id));
  return frame;
}

/**
 * Durable group writes of the waiting runs, to the journal (see state/journal.ts): a write (two
 * may go at once) takes every waiting run changed since the last one began (its bounded state and
 * newest payload), so a burst of deliveries costs a few disk writes, not one per delivery. A
 * run's promises settle once a write holding it is on disk (or failed). A waiting run none of
 * whose writes reached the disk is dropped when one fails: every delivery of it is answered
 * 500, so the forge delivers it again, and running it now would deploy twice. One that
 * reached the disk before stays: its 202'd deliveries are owed a run.
 */
export class GroupWrites {
  private scheduled = false;
  /** The newest group write failed: deliveries are answered 500 until one goes through. */
  lastFailed = false;
  private readonly journal: JournalWriter;
  /** Runs that started and whose final record is not on disk yet: the journal still holds them. */
  private readonly starting = new Map<string, WaitingRun>();
  /** Ids of runs that started (or were dropped) for the next write, and who waits for that. */
  private goneIds: string[] = [];
  private goneTold: Array<(written: boolean) => void> = [];
  /** Files of versions before the journal, removed once a write holding their runs is on disk. */
  private legacy: string[] = [];

  /** `waiting`: the queue's waiting runs by entry; `written`: told after each write (the queue starts what can start). */
  constructor(
    stateDir: string,
    private readonly logger: Logger,
    private readonly waiting: Map<string, WaitingRun>,
    private readonly written: () => void,
  ) {
    this.journal = new JournalWriter(stateDir);
  }

  /** Makes the journal ready before serving (see JournalWriter.prepare); a failure is left for the first write to meet. */
  prepare(): void {
    try {
      this.journal.prepare();
    } catch { /* the first write tries again, and answers 500 if it cannot */ }
  }

  /** Schedules a group write, once per turn of the event loop (every delivery read in that turn joins it). */
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
    this.journal.reset();
    for (const w of this.waiting.values()) w.dirty = true;
    this.schedule();
  }

  /** Removes `files` (waiting runs kept by versions before the journal) once the runs read from them are written. */
  replaceLegacy(files: string[]): void {
    this.legacy.push(...files);
    this.schedule();
  }

  /** The waiting run `w` starts: the journal holds it until gone() (written again first when it changed since its last write). */
  start(w: WaitingRun): void {
    this.starting.set(w.run.id, w);
    if (w.dirty) this.schedule();
  }

  /**
   * Run `id` ended (its final record is on disk) or was dropped: the journal is told, so no
   * restart runs it again. Resolves true once that is on disk, false when the write failed
   * (it is tried again with the next).
   */
  gone(id: string): Promise<boolean> {
    this.starting.delete(id);
    this.goneIds.push(id);
    const told = new Promise<boolean>((resolve) => this.goneTold.push(resolve));
    this.schedule();
    return told;
  }

  private save(): void {
    if (!this.journal.canWrite()) return; // a write going on calls again when it ends
    const batch = [...this.waiting.values(), ...this.starting.values()].filter((w) => w.dirty);
    // Started runs and old files alone are not tried again at once after a failed write: the next accept carries them.
    if (batch.length === 0 && (this.lastFailed || (this.goneIds.length === 0 && this.legacy.length === 0))) return;
    const promised: Promised[] = [];
    for (const w of batch) {
      w.dirty = false;
      promised.push(...w.promised);
      w.promised = [];
    }
    const gone = this.goneIds;
    const told = this.goneTold;
    const legacy = this.legacy;
    this.goneIds = [];
    this.goneTold = [];
    this.legacy = [];
    this.journal.write(frameOf(batch, gone), () => frameOf([...this.starting.values(), ...this.waiting.values()])).then(() => null, (err: unknown) => err).then((error) => {
      this.lastFailed = error !== null;
      settle(promised, error);
      for (const w of batch) {
        if (error === null) w.onDisk = true;
        else if (!w.onDisk && this.waiting.get(w.run.entry) === w) this.dropUnwritten(w, error);
      }
      if (error === null) {
        for (const f of legacy) {
          try { unlinkSync(f); } catch { /* gone */ }
        }
        for (const t of told) t(true);
      } else {
        // Tried again with the next write.
        this.goneIds.unshift(...gone);
        this.legacy.unshift(...legacy);
        for (const t of told) t(false);
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
      entry: w.run.entry, run: w.run.id, deliveries: w.run.deliveryCount, error: error instanceof Error ? error.message : String(error),
    });
  }
}
