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

/** Quotes a text value when it holds spaces, quotes, '=' or control characters. */
function textValue(v: string | number | boolean | null): string {
  const s = String(v);
  return s === '' || /[\s"=\\\x00-\x1f\x7f]/.test(s) ? JSON.stringify(s) : s;
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
      opts.write(JSON.stringify(obj) + '\n');
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
