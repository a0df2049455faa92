import fs from 'node:fs';
import path from 'node:path';
import { lineBuffer } from '../log/line-buffer.ts';

interface RunLog {
  /** Appends one line of output (a '\n' is added). After the cap, lines are dropped (the last TAIL_LINES kept for later). */
  write(line: string): void;
  /** Appends one line of whauto's own (a step starts, the result): written past the cap too, after the tail of what was dropped. */
  note(line: string): void;
  /** Bytes written so far. */
  readonly bytes: number;
  close(): void;
}

/** Dropped output lines kept to be written at the next note or at close, and the longest kept (chars). */
const TAIL_LINES = 50;
const TAIL_LINE_CHARS = 1000;
/** How often (ms) writing output looks whether the file is still there; each note looks too. */
const LOOK_EVERY_MS = 5000;

/**
 * Opens (appends to) a run's log file, creating its folder. Lines are written in order, those
 * of one turn of the event loop in one synchronous write (a write per line made a command
 * printing millions of lines take seconds of system calls), so a crash loses at most the
 * lines of that turn; close() writes what waits. Once `maxLog` bytes of output would be
 * passed, one line "… log cut at <maxLog> bytes" is written and output is dropped, but for
 * whauto's own lines (note) and, before each of them and at close, the last TAIL_LINES lines
 * dropped: what failed, and why, stays in the log. A file removed under the run (the state
 * dir cleaned up), or one that could not be opened or written (its folder gone, a full disk), is
 * made again, with a line saying what was lost, at the next note or within LOOK_EVERY_MS of
 * output. Write errors never stop the run.
 */
export function openRunLog(file: string, maxLog: number): RunLog {
  const open = (): number | null => {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      return fs.openSync(file, 'a', 0o640);
    } catch {
      return null;
    }
  };
  let fd = open();
  let lookedAt = Date.now();
  // Someone removed the file (or the whole state dir) under the run: open it again, so the rest
  // of the run is where its record says, and say what was lost.
  const sameFile = (): void => {
    lookedAt = Date.now();
    if (fd === null) {
      // It could not be opened (its folder gone, a full disk): try again, saying what was lost.
      fd = open();
      try {
        if (fd !== null) fs.writeSync(fd, '… the log file could not be written until now; the lines before this one were lost\n');
      } catch {
        fd = null;
      }
      return;
    }
    try {
      const now = fs.statSync(file);
      const held = fs.fstatSync(fd);
      if (now.ino === held.ino && now.dev === held.dev) return;
    } catch {
      // gone: open it again
    }
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fd = open();
    try {
      if (fd !== null) fs.writeSync(fd, '… the log file was removed while the run went on; the lines before this one were lost\n');
    } catch {
      fd = null;
    }
  };
  let bytes = 0;
  let cut = false;
  const lines = lineBuffer((text) => {
    if (Date.now() - lookedAt >= LOOK_EVERY_MS) sameFile();
    if (fd === null) return;
    try {
      fs.writeSync(fd, text);
    } catch {
      fd = null;
    }
  });
  const put = (text: string): void => lines.write(text);
  // Past the cap: how many lines were dropped since the last note, and the last of them.
  let dropped = 0;
  let tail: string[] = [];
  const writeTail = (): void => {
    if (dropped === 0) return;
    put(`… ${dropped} line${dropped === 1 ? '' : 's'} not kept${tail.length > 0 ? `; the last ${tail.length}:` : ''}\n`);
    for (const l of tail) put(`${l}\n`);
    dropped = 0;
    tail = [];
  };
  return {
    write(line) {
      if (cut) {
        dropped++;
        tail.push(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line);
        if (tail.length > TAIL_LINES) tail.shift();
        return;
      }
      const size = Buffer.byteLength(line) + 1;
      if (bytes + size > maxLog) {
        cut = true;
        put(`… log cut at ${maxLog} bytes\n`);
        this.write(line);
        return;
      }
      bytes += size;
      put(`${line}\n`);
    },
    note(line) {
      sameFile();
      if (!cut) {
        this.write(line);
        return;
      }
      writeTail();
      put(`${line}\n`);
    },
    get bytes() {
      return bytes;
    },
    close() {
      writeTail();
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
