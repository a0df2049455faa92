/** Bytes of buffered log text that are written at once, without waiting for the turn to end. */
const FLUSH_AT = 64 * 1024;

/**
 * Gathers the log lines of one turn of the event loop and hands them to `write` as one
 * text at the end of the turn (or once FLUSH_AT bytes wait): under a stream of deliveries a
 * line per delivery cost a write system call each on the main thread. Lines keep their
 * order. What waits is written when the process exits (so only a SIGKILL can lose the lines
 * of the current turn) and by `close()`, after which lines are written at once.
 */
export function lineBuffer(write: (text: string) => void): { write(line: string): void; close(): void } {
  let parts: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
    if (parts.length === 0) return;
    const text = parts.length === 1 ? parts[0]! : parts.join('');
    parts = [];
    size = 0;
    write(text);
  };
  let closed = false;
  process.on('exit', flush);
  return {
    write(line) {
      if (closed) {
        write(line);
        return;
      }
      parts.push(line);
      size += line.length;
      if (size >= FLUSH_AT) {
        flush();
        return;
      }
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flush();
      });
    },
    close() {
      closed = true;
      flush();
      process.off('exit', flush);
    },
  };
}
