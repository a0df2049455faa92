/** Backing off stops growing at this many intervals. */
const MAX_BACKOFF = 10;

/** ± this share of the interval is added at random to each wait, so many servers do not ask at once. */
export const JITTER = 0.1;

/**
 * ms from one poll to the next: the interval `everyMs`, doubled for each of the `failures`
 * polls that failed in a row, at most 10 intervals; times 1 + `jitter` (a share within
 * ±JITTER), the capped wait never past 10 intervals.
 */
export function pollWait(everyMs: number, failures: number, jitter: number): number {
  return Math.min(everyMs * 2 ** Math.min(failures, 10) * (1 + jitter), everyMs * MAX_BACKOFF);
}

/** A jitter share in [-JITTER, JITTER]. */
export function jitter(): number {
  return (Math.random() * 2 - 1) * JITTER;
}
