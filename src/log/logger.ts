import type { LogFormat, LogLevel } from '../settings/types.ts';

export type Fields = Record<string, string | number | boolean | null | undefined>;

/** One line per event: text `time level message key=value…` or one JSON object. */
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Characters a terminal or log viewer may act on that JSON.stringify leaves as they are: DEL, C1
 * controls (U+009B is an escape sequence to some terminals), line and paragraph separators,
 * bidirectional overrides. Written as \uXXXX escapes, which a JSON reader reads back the same.
 */
const UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const asEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
const escapeUnsafe = (s: string): string => s.replace(UNSAFE, asEscape);

/** C0 controls but tab and newline, and the UNSAFE ones: what a terminal must not be handed raw. */
const NOT_FOR_TERMINAL = new RegExp(`[\\x00-\\x08\\x0b-\\x1f]|${UNSAFE.source}`, 'g');

/**
 * `text` with every control character but tab and newline, and every UNSAFE one, written as a
 * visible \uXXXX escape: for showing command output (which a pusher's name or a branch can
 * reach) on a terminal without the terminal acting on it.
 */
export function showControls(text: string): string {
  return text.replace(NOT_FOR_TERMINAL, asEscape);
}

/** What makes a text value need quotes: spaces, quotes, '=', backslash, control characters, or UNSAFE ones. */
const NEEDS_QUOTES = new RegExp(`[\\s"=\\\\\\x00-\\x1f]|${UNSAFE.source}`);

/** Quotes a text value when it holds spaces, quotes, '=' or control characters (escaped then). */
function textValue(v: string | number | boolean | null): string {
  const s = String(v);
  return s === '' || NEEDS_QUOTES.test(s) ? escapeUnsafe(JSON.stringify(s)) : s;
}

/**
 * Creates a logger writing whole lines through `write`. Lines below `level` are dropped;
 * `reconfigure` changes level and format (a reload).
 * No colour is ever used: the daemon's output usually goes to journald or a file.
 */
export function createLogger(opts: { level: LogLevel; format: LogFormat; write: (line: string) => void }): Logger & { reconfigure(next: { level: LogLevel; format: LogFormat }): void } {
  let min = RANK[opts.level];
  let format = opts.format;
  const emit = (level: LogLevel, message: string, fields: Fields = {}): void => {
    if (RANK[level] < min) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      const obj: Record<string, unknown> = { time, level, msg: message };
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) obj[k] = v;
      opts.write(escapeUnsafe(JSON.stringify(obj)) + '\n');
      return;
    }
    let line = `${time} ${level} ${message}`;
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${textValue(v)}`;
    opts.write(line + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    /** Takes a reloaded log_level and log_format (SIGHUP). */
    reconfigure(next) {
      min = RANK[next.level];
      format = next.format;
    },
  };
}
