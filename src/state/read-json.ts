import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { layout } from './layout.ts';

/** Told about a corrupt state file: where it was, where it went (null: left in place), why. */
export type OnCorrupt = (file: string, movedTo: string | null, why: string) => void;

interface ReadJsonOptions {
  /** Checks the shape; returns why the value is unusable, or null when it is fine. */
  check?: (value: Record<string, unknown>) => string | null;
  /** false: report only, leave the file where it is (read-only readers such as `status`). Default true. */
  setAside?: boolean;
}

/**
 * Reads a JSON state file. A file that does not parse or has the wrong shape (a crash
 * mid-write on a filesystem without atomic rename, a hand edit) is moved to
 * `<stateDir>/corrupt/<ms>-<name>` and reported through `onCorrupt`; the caller gets null,
 * never an exception. A missing file gives null silently.
 */
export function readJsonState<T>(stateDir: string, file: string, onCorrupt: OnCorrupt, opts: ReadJsonOptions = {}): T | null {
  let text: string | Error;
  try {
    text = readRegularFile(file).toString('utf8');
  } catch (err) {
    if (!(err instanceof NotRegularFile)) return null;
    text = err;
  }
  try {
    if (text instanceof Error) throw text;
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    const wrong = opts.check?.(value as Record<string, unknown>);
    if (wrong) throw new Error(wrong);
    return value as T;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (opts.setAside === false) {
      onCorrupt(file, null, why);
      return null;
    }
    const dir = layout.corruptDir(stateDir);
    let to: string | null = join(dir, `${Date.now()}-${basename(file)}`);
    try {
      mkdirSync(dir, { recursive: true });
      renameSync(file, to);
    } catch {
      to = null; // read-only or gone: report only
    }
    onCorrupt(file, to, why);
    return null;
  }
}

/** A state file that is not a regular file: a FIFO would block the reader for good. */
class NotRegularFile extends Error {
  constructor() {
    super('not a regular file');
  }
}

/**
 * The bytes of `file`, opened without blocking and refused (NotRegularFile) unless it is a
 * regular file: a FIFO, socket or device put in the state dir must not hang the daemon or
 * `status`. Throws the open error (ENOENT…) as it is.
 */
export function readRegularFile(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new NotRegularFile();
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
