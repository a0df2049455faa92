import fs from 'node:fs';
import path from 'node:path';

export interface RunLog {
  /** Appends one line (a '\n' is added). After the cap, lines are dropped. */
  write(line: string): void;
  /** Bytes written so far. */
  readonly bytes: number;
  close(): void;
}

/**
 * Opens (appends to) a run's log file, creating its folder. Writes are synchronous so lines
 * keep their order and a crash loses nothing written. Once `maxLog` bytes would be passed,
 * one line "… log cut at <maxLog> bytes" is written and nothing more. Write errors (disk
 * full) stop the logging, never the run.
 */
export function openRunLog(file: string, maxLog: number): RunLog {
  let fd: number | null = null;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(file, 'a', 0o640);
  } catch {
    fd = null;
  }
  let bytes = 0;
  let cut = false;
  const put = (text: string): void => {
    if (fd === null) return;
    try {
      fs.writeSync(fd, text);
    } catch {
      fd = null;
    }
  };
  return {
    write(line) {
      if (cut) return;
      const size = Buffer.byteLength(line) + 1;
      if (bytes + size > maxLog) {
        cut = true;
        put(`… log cut at ${maxLog} bytes\n`);
        return;
      }
      bytes += size;
      put(`${line}\n`);
    },
    get bytes() {
      return bytes;
    },
    close() {
      if (fd !== null) {
        try {
          fs.closeSync(fd);
        } catch {
          // already gone
        }
      }
      fd = null;
    },
  };
}
