import { ipFamily } from './ip-family.ts';

/**
 * True when `text` is an IPv4/IPv6 address or CIDR (`10.0.0.0/8`, `2001:db8::/32`,
 * `192.168.1.7`) with a prefix length that fits the family.
 */
export function isCidr(text: string): boolean {
  const [addr, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || addr === undefined) return false;
  const family = ipFamily(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
