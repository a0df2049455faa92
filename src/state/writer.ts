import { unlink } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { writeFilesAtomic, type FileWrite } from './atomic-async.ts';
import { WRITER_SOURCE } from './writer-source.ts';

export type { FileWrite } from './atomic-async.ts';

/** One job for the state writer: files written atomically, then files removed. */
interface WriteJob {
  files: FileWrite[];
  /** Removed once every durable file of the job (and of earlier jobs) is on disk. */
  unlink?: string[];
}

/** Buffers handed back by the worker that are kept for reuse, and the largest kept (bytes). */
const SPARE_BUFFERS = 8;
const SPARE_MAX_BYTES = 1024 * 1024;

interface Waiting {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Writes state files off the main thread, in order, in one worker thread: a job costs the
 * main thread one message each way however many files, fsyncs and renames it takes, and
 * jobs that queue up while the disk is busy are written together (one round of fsyncs).
 * Jobs are done in the order they were given (a later job's rename never comes before an
 * earlier job's unlink). When the worker cannot start or dies, the jobs it had fail and
 * later ones are done on the main thread's async fs calls, still in order.
 */
export class StateWriter {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly inFlight = new Map<number, Waiting>();
  /** Buffers the worker handed back, for the next texts (see write). */
  private spare: ArrayBuffer[] = [];
  /** Fallback: the previous job's end, so jobs stay in order without the worker. */
  private chain: Promise<void> = Promise.resolve();

  /**
   * Does `job`; resolves when its durable files are on disk (and its unlinks done), rejects
   * with the I/O error (the job's files are then not renamed, or partly). Data is copied at
   * once: later changes to a Buffer passed here are not written.
   */
  write(job: WriteJob): Promise<void> {
    const worker = this.broken ? null : this.start();
    if (!worker) return this.fallback(job);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject });
      if (this.inFlight.size === 1) worker.ref();
      // Text as bytes: a 25 MB payload in a string would land on the worker's small heap. Text
      // is encoded into memory that is handed over (transferred, not copied) and handed back
      // after the write, to be used again: under a stream of deliveries neither thread keeps
      // allocating buffers that only a garbage collection would give back.
      const moved: ArrayBuffer[] = [];
      const files = job.files.map((f) => {
        if (typeof f.data !== 'string') return f;
        const size = Buffer.byteLength(f.data);
        const memory = this.buffer(size);
        Buffer.from(memory, 0, size).write(f.data);
        moved.push(memory);
        return { ...f, data: new Uint8Array(memory, 0, size), handedOver: true };
      });
      worker.postMessage({ id, files, unlink: job.unlink ?? [] }, moved);
    });
  }

  /** Memory of at least `size` bytes: a spare buffer that fits, else a new one with room to grow (a pending run's text grows). */
  private buffer(size: number): ArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength >= size);
    if (i >= 0) return this.spare.splice(i, 1)[0]!;
    return new ArrayBuffer(size > SPARE_MAX_BYTES ? size : Math.max(16 * 1024, 2 ** Math.ceil(Math.log2(size))));
  }

  private start(): Worker | null {
    if (this.worker) return this.worker;
    try {
      // Small heap: the worker only copies bytes to files, and those come as bytes (off its heap).
      const w = new Worker(WRITER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } });
      w.on('message', (m: { id: number; error: string | null; buffers: ArrayBuffer[] }) => {
        for (const b of m.buffers) if (this.spare.length < SPARE_BUFFERS && b.byteLength <= SPARE_MAX_BYTES) this.spare.push(b);
        const waiting = this.inFlight.get(m.id);
        if (!waiting) return;
        this.inFlight.delete(m.id);
        if (this.inFlight.size === 0) w.unref();
        if (m.error === null) waiting.resolve();
        else waiting.reject(new Error(m.error));
      });
      const die = (why: string): void => {
        this.broken = true;
        this.worker = null;
        for (const w2 of this.inFlight.values()) w2.reject(new Error(`state writer stopped: ${why}`));
        this.inFlight.clear();
      };
      w.on('error', (err) => die(err.message));
      w.on('exit', (code) => die(`exit ${code}`));
      w.unref();
      this.worker = w;
      return w;
    } catch {
      this.broken = true;
      return null;
    }
  }

  private fallback(job: WriteJob): Promise<void> {
    const run = async (): Promise<void> => {
      await writeFilesAtomic(job.files);
      for (const f of job.unlink ?? []) await unlink(f).catch(() => undefined);
    };
    const done = this.chain.then(run);
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
