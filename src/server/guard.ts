import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { plainAddress } from './client-address.ts';

interface GuardLimits {
  /** ms a connection may take from its start (or its previous answer) to its next answer. */
  deadlineMs: number;
  /** Open connections one peer address may hold (a trusted proxy is exempt). */
  perClient: number;
}

/**
 * Bounds what slow or greedy clients can hold, on top of Node's own timeouts: every
 * connection must complete each request (headers and body) within `deadlineMs` of its start
 * or of its previous answer, else it is destroyed; and one peer address may hold at most
 * `perClient` connections, so one client cannot fill the server's connection cap. Node's
 * requestTimeout alone is not enough: with the server at maxConnections its periodic check
 * was seen not to expire held connections (Node 20). `onRefused` is told of each connection
 * refused over the per-peer cap.
 */
export function guardConnections(server: Server, limits: GuardLimits, exempt: (peer: string) => boolean, onRefused: (peer: string) => void = () => undefined): void {
  const open = new Map<string, number>();
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  const arm = (socket: Socket): void => {
    clearTimeout(timers.get(socket));
    const t = setTimeout(() => socket.destroy(), limits.deadlineMs);
    t.unref();
    timers.set(socket, t);
  };
  server.on('connection', (socket: Socket) => {
    const peer = plainAddress(socket.remoteAddress ?? '');
    const count = (open.get(peer) ?? 0) + 1;
    if (count > limits.perClient && !exempt(peer)) {
      socket.destroy();
      onRefused(peer);
      return;
    }
    open.set(peer, count);
    arm(socket);
    socket.once('close', () => {
      clearTimeout(timers.get(socket));
      const left = (open.get(peer) ?? 1) - 1;
      if (left <= 0) open.delete(peer);
      else open.set(peer, left);
    });
  });
  server.on('request', (req, res) => {
    // The next request on a kept-alive connection gets a fresh deadline once this one is answered.
    res.once('finish', () => { if (!req.socket.destroyed) arm(req.socket); });
  });
}
