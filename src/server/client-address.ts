import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** '::ffff:1.2.3.4' → '1.2.3.4', so IPv4 rules match IPv4 clients on a dual-stack socket. */
export function plainAddress(addr: string): string {
  return addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}

/**
 * Builds a BlockList from CIDRs or bare addresses (`10.0.0.0/8`, `::1`, `192.0.2.7`).
 * Entries that do not parse are skipped (the settings check reports them).
 */
export function addressList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr = '', bits] = c.split('/');
    const family = isIP(addr);
    if (family === 0) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** True when `addr` is in `list`. */
export function inList(list: BlockList, addr: string): boolean {
  const a = plainAddress(addr);
  const family = isIP(a);
  if (family === 0) return false;
  return list.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address: the socket's peer, or, when the peer is a trusted proxy, the
 * rightmost X-Forwarded-For address that is not itself a trusted proxy. A forged header from
 * an untrusted peer is ignored.
 */
export function clientAddress(req: IncomingMessage, trusted: BlockList, anyTrusted: boolean): string {
  const peer = plainAddress(req.socket.remoteAddress ?? '');
  if (!anyTrusted || !inList(trusted, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plainAddress(hops[i]!);
    if (isIP(hop) === 0) return peer;
    if (!inList(trusted, hop)) return hop;
  }
  return peer;
}
