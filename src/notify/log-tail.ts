import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { showControls } from '../log/logger.ts';

/** The most of a run's log a notification carries: lines, and bytes. */
const TAIL_LINES = 20;
const TAIL_BYTES = 2048;

/**
 * The last lines of the log file `file` (at most TAIL_LINES, TAIL_BYTES in all), control
 * characters shown as escapes (a chat client must not act on them); [] when it cannot be read.
 */
export function logTail(file: string): string[] {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    const n = readSync(fd, buf, 0, buf.length, start);
    const lines = buf.subarray(0, n).toString('utf8').split('\n');
    // Started within a line: that part is not a whole line.
    if (start > 0) lines.shift();
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-TAIL_LINES).map(showControls);
  } catch {
    return [];
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
