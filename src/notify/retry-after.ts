/**
 * The wait a `Retry-After` header asks for, in ms (RFC 9110 section 10.2.3: delay-seconds or
 * an HTTP-date, measured from `now`); null when absent or unreadable. Never negative.
 */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
