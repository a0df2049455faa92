import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `givenHex` is exactly the lowercase hex HMAC of `bytes` under `secret`.
 * The given string's bytes are compared to the expected hex with `timingSafeEqual` after an
 * equal-length check, so upper-case hex, whitespace, NUL suffixes and empty values are refused.
 * algorithm: a node:crypto digest name ('sha1', 'sha256', 'sha512'). Never throws for bad input.
 */
export function verifyHexHmac(algorithm: string, secret: string, bytes: Buffer, givenHex: string): boolean {
  const expected = Buffer.from(createHmac(algorithm, secret).update(bytes).digest('hex'), 'utf8');
  const given = Buffer.from(givenHex, 'utf8');
  // The expected length is public (it depends only on the algorithm).
  return given.length === expected.length && timingSafeEqual(given, expected);
}
