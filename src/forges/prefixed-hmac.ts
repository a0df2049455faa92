import { verifyHexHmac } from './hmac.ts';

/**
 * A matcher for `<prefix><hex>` signature headers ('sha256=…', 'sha1=…'): the prefix must be
 * exactly `prefix` (else what is wrong, in words, for the 403), the rest is checked with
 * verifyHexHmac over `bytes`.
 */
export function prefixedHmac(prefix: string, algorithm: string, bytes: Buffer) {
  return (given: string, secret: string): boolean | string =>
    given.startsWith(prefix) ? verifyHexHmac(algorithm, secret, bytes, given.slice(prefix.length)) : `must be '${prefix}' and the hex HMAC`;
}
