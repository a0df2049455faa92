/** Longest line handed on in one piece, in bytes; longer lines are split. */
const MAX_LINE = 64 * 1024;

interface LineSplitter {
  /** Feeds a chunk of output; calls onLine for each complete line in it. */
  push(chunk: Buffer): void;
  /** Hands on what is left (a final line without a newline). */
  flush(): void;
}

/**
 * Splits a byte stream into lines for `onLine` (without '\n' or a trailing '\r'). Holds at
 * most `maxLine` bytes (default 64 KiB) of a partial line, so output is never buffered whole.
 */
export function createLineSplitter(onLine: (line: string) => void, maxLine = MAX_LINE): LineSplitter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const emit = (bytes: Buffer): void => {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    onLine(bytes.toString('utf8', 0, end));
  };
  const take = (): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return all;
  };

  return {
    push(chunk) {
      let start = 0;
      while (start < chunk.length) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl === -1 ? chunk.length : nl;
        // A whole line inside the chunk: handed on as it is, with no copy.
        if (nl !== -1 && pendingBytes === 0 && end - start <= maxLine) {
          emit(chunk.subarray(start, end));
          start = nl + 1;
          continue;
        }
        let piece = chunk.subarray(start, end);
        // Cut an overlong line into maxLine pieces as it grows.
        while (pendingBytes + piece.length > maxLine) {
          const room = maxLine - pendingBytes;
          pending.push(piece.subarray(0, room));
          pendingBytes += room;
          emit(take());
          piece = piece.subarray(room);
        }
        if (piece.length > 0) {
          pending.push(Buffer.from(piece)); // copy: the chunk's memory may be reused
          pendingBytes += piece.length;
        }
        if (nl === -1) break;
        emit(take());
        start = nl + 1;
      }
    },
    flush() {
      if (pendingBytes > 0) emit(take());
    },
  };
}
