import { BlockList } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ipFamily } from './ip-family.ts';

/**
 * Parses a listen address: `host:port`, `[ipv6]:port`, or a bare port (host 127.0.0.1).
 * The host is an IP address or a host name. Returns `{host, port}` (IPv6 without brackets)
 * or null when it is not a usable address (port outside 0..65535, bad host). Port 0 asks the
 * system for a free port (the daemon logs the one it got): tests and ad-hoc runs use it.
 */
export function parseListen(value: unknown): { host: string; port: number } | null {
  if (typeof value === 'number') return portOf(String(value)) === null ? null : { host: '127.0.0.1', port: value };
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const port = portOf(text);
    return port === null ? null : { host: '127.0.0.1', port };
  }
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6) {
    const port = portOf(v6[2] as string);
    return ipFamily(v6[1] as string) === 6 && port !== null ? { host: v6[1] as string, port } : null;
  }
  const m = /^([^:[\]\s]+):(\d+)$/.exec(text);
  if (!m) return null;
  const host = m[1] as string;
  const port = portOf(m[2] as string);
  const hostOk = ipFamily(host) === 4 || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host);
  return hostOk && port !== null ? { host, port } : null;
}

function portOf(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 0 && port <= 65535 ? port : null;
}

/**
 * Why this machine cannot listen on `host` (an IP address or host name, IPv6 without
 * brackets), or null when it can: a wildcard (0.0.0.0, ::), a loopback address, or an
 * address of one of its network interfaces (os.networkInterfaces, looked at now). A host
 * name is not looked up here (null): `serve` says so when it cannot listen on it.
 */
export function notOnThisMachine(host: string): string | null {
  const family = ipFamily(host);
  if (family === 0) return null;
  const own = Object.values(networkInterfaces()).flat().filter((a) => a !== undefined);
  const here = new BlockList();
  here.addAddress('0.0.0.0');
  here.addAddress('::', 'ipv6');
  // Linux answers on all of 127/8.
  here.addSubnet('127.0.0.0', 8);
  here.addAddress('::1', 'ipv6');
  // A zone (fe80::1%eth0) names the interface; the address is what must be ours.
  const bare = (address: string): string => address.replace(/%.*$/, '');
  for (const a of own) here.addAddress(bare(a.address), a.family === 'IPv6' ? 'ipv6' : 'ipv4');
  if (here.check(bare(host), family === 6 ? 'ipv6' : 'ipv4')) return null;
  const shown = own.filter((a) => !a.address.startsWith('fe80:')).map((a) => a.address);
  return `${host} is not an address of this machine (${shown.join(', ') || 'it has none but loopback'}), so the daemon could not listen on it: ` +
    'use 127.0.0.1 behind a reverse proxy, 0.0.0.0 (or ::) for every address, or one of these';
}
