import type { Logger } from './logger.ts';

interface OutputCap {
  /** Logs one output line of run `run` unless the run has passed the cap. */
  line(run: string, entry: string, line: string): void;
  /** Forgets a finished run. */
  done(run: string): void;
}

/** Bytes of a daemon log line around the output line itself: time, level, message, field names. */
const LINE_OVERHEAD = 56;

/**
 * Logs command output lines to the daemon log ('output', info) up to `maxBytes()` bytes of
 * daemon log per run, each line counted with what the log line adds (time, entry, run id):
 * a command printing millions of short lines must not make a log many times the cap. Past
 * it, one warn line says the rest is only in the run's log (itself capped).
 */
export function outputCap(logger: Logger, maxBytes: () => number): OutputCap {
  const bytes = new Map<string, number>();
  return {
    line(run, entry, line) {
      const before = bytes.get(run) ?? 0;
      if (before < 0) return; // already cut
      const after = before + Buffer.byteLength(line) + LINE_OVERHEAD + entry.length + run.length;
      if (after > maxBytes()) {
        bytes.set(run, -1);
        logger.warn('output cut from the daemon log; see the run\'s log', { entry, run, bytes: before });
        return;
      }
      bytes.set(run, after);
      logger.info('output', { entry, run, line });
    },
    done(run) {
      bytes.delete(run);
    },
  };
}
