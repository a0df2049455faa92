// Raw HTTP/1.1 over a socket, for requests fetch will not send (lying Content-Length, NUL in
// headers, duplicate headers, bad chunking, un-normalized paths) and for clients that are slow
// or hold connections open.
import { connect, type Socket } from 'node:net';

/** A raw connection to the server: what it received so far and when it closed. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far, latin1. */
  received(): string;
  /** Resolves with the ms from connect to close (a reset counts as a close). */
  closed: Promise<number>;
  isClosed(): boolean;
}

/** Opens a TCP connection to `base`'s host and port (from `localAddress` when given); rejects when it cannot connect. */
export async function openRaw(base: string, localAddress?: string): Promise<RawConnection> {
  const url = new URL(base);
  const socket = connect({ port: Number(url.port), host: url.hostname, ...(localAddress ? { localAddress } : {}) });
  const chunks: Buffer[] = [];
  let done = false;
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined); // a reset counts as closed
  const t0 = Date.now();
  const closed = new Promise<number>((res) => socket.once('close', () => { done = true; res(Date.now() - t0); }));
  await new Promise<void>((res, rej) => { socket.once('connect', () => res()); socket.once('error', rej); });
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed, isClosed: () => done };
}

/** What came back: every status code seen (pipelined answers too), and whether the server closed. */
export interface RawAnswer {
  /** Status codes of the answers, in order ([] when the server only closed the connection). */
  statuses: number[];
  /** The whole answer text (bodies included), latin1. */
  text: string;
}

/**
 * Sends `request` (bytes exactly as given) to `base`'s host and port, half-closes when `end`
 * (default true), and collects what the server answers until it closes the connection or
 * `idleMs` passes without a byte (default 3000 ms; only bounds a server that keeps the
 * connection open, never needed for a pass). Write errors (the server closed early) are ignored.
 */
export async function rawRequest(base: string, request: Buffer | string, opts: { end?: boolean; idleMs?: number } = {}): Promise<RawAnswer> {
  const c = await openRaw(base);
  c.socket.setTimeout(opts.idleMs ?? 3000, () => c.socket.destroy());
  c.socket.write(request, () => {
    if (opts.end !== false) c.socket.end();
  });
  await c.closed;
  const text = c.received();
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  return { statuses, text };
}

/**
 * Builds a request's bytes: `METHOD path HTTP/1.1`, Host, then `headers` as given (a list,
 * so a name may repeat; values are written raw, latin1), then the body. `Content-Length` is
 * added from the body unless a header of that name (or Transfer-Encoding) is given.
 */
export function rawBytes(method: string, path: string, headers: Array<[string, string]>, body: Buffer | string = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const names = headers.map(([n]) => n.toLowerCase());
  const all: Array<[string, string]> = [['Host', 'localhost'], ['Connection', 'close'], ...headers];
  if (!names.includes('content-length') && !names.includes('transfer-encoding') && (b.length > 0 || method === 'POST')) {
    all.push(['Content-Length', String(b.length)]);
  }
  const head = `${method} ${path} HTTP/1.1\r\n${all.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

/** `body` as chunked transfer coding, in chunks of `size` bytes, with the last-chunk. */
export function chunked(body: Buffer | string, size = 1024): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) {
    const c = b.subarray(i, i + size);
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** Headers of a `Record` as a list for rawBytes. */
export function headerList(h: Record<string, string>): Array<[string, string]> {
  return Object.entries(h);
}
