import type { VerifyResult } from './types.ts';

/**
 * The common verify outcome: no secret → accepted unsigned; secret but no `given` value → 401;
 * `matches(given)` false → 403. `what` names the header for the reason (never a value).
 */
export function verdict(
  secret: string | null,
  given: string | null,
  what: string,
  matches: (given: string, secret: string) => boolean,
): VerifyResult {
  if (secret === null) return { ok: true };
  if (given === null) return { ok: false, status: 401, reason: `missing ${what}` };
  if (!matches(given, secret)) return { ok: false, status: 403, reason: `${what} does not match` };
  return { ok: true };
}
