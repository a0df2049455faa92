import type { Fields, Logger } from './logger.ts';

/** Keys (e.g. client addresses) remembered at most; past it the oldest are forgotten. */
const MAX_KEYS = 1000;

/**
 * A warning that a flood could repeat thousands of times (refused connections, timed-out
 * requests), said at most once per `key` per `windowMs` (ms): the first at once, and the
 * ones that came in the window after it as one line at its end, with `more: N`. Nothing is
 * lost from the count and the log stays readable.
 */
export function rateLimitedWarn(logger: Logger, message: string, windowMs: number): (key: string, fields: Fields) => void {
  const open = new Map<string, { more: number; fields: Fields }>();
  return (key, fields) => {
    const seen = open.get(key);
    if (seen) {
      seen.more++;
      seen.fields = fields;
      return;
    }
    logger.warn(message, fields);
    if (open.size >= MAX_KEYS) open.delete(open.keys().next().value!);
    const window = { more: 0, fields };
    open.set(key, window);
    setTimeout(() => {
      open.delete(key);
      if (window.more > 0) logger.warn(message, { ...window.fields, more: window.more, within_ms: windowMs });
    }, windowMs).unref();
  };
}
