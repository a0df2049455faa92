import { writeFilesAtomic, type FileWrite } from './atomic-async.ts';

export type { FileWrite } from './atomic-async.ts';

/** One job for the state writer: files written atomically, together. */
interface WriteJob {
  files: FileWrite[];
}

/**
 * Writes state files (run records, payload files) with the libuv pool's async fs calls, in
 * order: a job starts when the one before it has ended, so a later record never lands before an
 * earlier one. The main thread only starts each call and never waits for the disk. (The waiting
 * runs go to the journal instead: see journal.ts.)
 */
export class StateWriter {
  /** The previous job's end. */
  private chain: Promise<void> = Promise.resolve();

  /**
   * Does `job`; resolves when its durable files are on disk, rejects with the I/O error (the
   * job's files are then not renamed, or partly). Data is the caller's until then: a Buffer
   * passed here must not change before the promise settles.
   */
  write(job: WriteJob): Promise<void> {
    const done = this.chain.then(() => writeFilesAtomic(job.files));
    this.chain = done.catch(() => undefined);
    return done;
  }
}

let shared: StateWriter | null = null;

/** The process's one state writer (created on first use). */
export function stateWriter(): StateWriter {
  shared ??= new StateWriter();
  return shared;
}
