import { isIP } from 'node:net';

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
    return isIP(v6[1] as string) === 6 && port !== null ? { host: v6[1] as string, port } : null;
  }
  const m = /^([^:[\]\s]+):(\d+)$/.exec(text);
  if (!m) return null;
  const host = m[1] as string;
  const port = portOf(m[2] as string);
  const hostOk = isIP(host) === 4 || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host);
  return hostOk && port !== null ? { host, port } : null;
}

function portOf(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 0 && port <= 65535 ? port : null;
}
