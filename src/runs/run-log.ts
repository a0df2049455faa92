import fs from 'node:fs';
import path from 'node:path';
import { lineBuffer } from '../log/line-buffer.ts';

export interface RunLog {
  /** Appends one line (a '\n' is added). After the cap, lines are dropped. */
  write(line: string): void;
  /** Bytes written so far. */
  readonly bytes: number;
  close(): void;
}

/**
 * Opens (appends to) a run's log file, creating its folder. Lines are written in order, those
 * of one turn of the event loop in one synchronous write (a write per line made a command
 * printing millions of lines take seconds of system calls), so a crash loses at most the
 * lines of that turn; close() writes what waits. Once `maxLog` bytes would be passed,
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
  const lines = lineBuffer((text) => {
    if (fd === null) return;
    try {
      fs.writeSync(fd, text);
    } catch {
      fd = null;
    }
  });
  const put = (text: string): void => lines.write(text);
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
      lines.close();
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
