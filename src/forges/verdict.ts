import type { VerifyResult } from './types.ts';

/**
 * The common verify outcome: no secret → accepted unsigned; secret but no `given` value → 401;
 * `matches(given)` false → 403 (a string: 403 saying what is wrong with the value's shape,
 * never the value). `what` names the header for the reason.
 */
export function verdict(
  secret: string | null,
  given: string | null,
  what: string,
  matches: (given: string, secret: string) => boolean | string,
): VerifyResult {
  if (secret === null) return { ok: true };
  if (given === null) return { ok: false, status: 401, reason: `missing ${what}` };
  const m = matches(given, secret);
  if (typeof m === 'string') return { ok: false, status: 403, reason: `${what} ${m}` };
  if (!m) return { ok: false, status: 403, reason: `${what} does not match` };
  return { ok: true };
}
