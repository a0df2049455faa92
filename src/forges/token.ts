import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when `given` equals `secret`, compared in constant time: both are hashed with SHA-256
 * first, so neither the secret's length nor a common prefix shows in the timing.
 */
export function tokenEquals(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}
