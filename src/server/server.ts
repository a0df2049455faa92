import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { Logger } from '../log/logger.ts';
import type { Queue } from '../queue/queue.ts';
import type { Entry, Settings } from '../settings/types.ts';
import { answers, send, type Answer } from './answer.ts';
import { addressList, clientAddress, inList, plainAddress } from './client-address.ts';
import { toDelivery } from './delivery.ts';
import { handleVerified, verifyFor, type DeliveryInfo } from './handle-delivery.ts';
import type { Metrics } from './metrics.ts';
import { BodyIncomplete, BodyTimedOut, BodyTooLarge, readBody } from './read-body.ts';
import { guardConnections } from './guard.ts';
import { rateLimitedWarn } from '../log/rate-limited.ts';
import { isWebhookPath } from './webhook-path.ts';

/** Limits that protect the server from slow or greedy clients (ms, count). */
export const LIMITS = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 2_000,
  maxConnections: 1024,
  /** Connections one peer address may hold at once (trusted proxies are exempt). */
  maxConnectionsPerClient: 128,
};

/** Words for the errors Node's parser refuses a request with (its codes mean little to an operator). */
function refusalReason(err: NodeJS.ErrnoException): string {
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'headers too large';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'the request was not complete in time';
  return `malformed request (${err.code ?? err.message})`;
}

/** ms in which one peer's refused connections or requests are said once, then counted (see rateLimitedWarn). */
const REFUSED_LOG_MS = 10_000;

interface WebhookServer {
  server: Server;
  /** Stops accepting deliveries: every request is answered 503 from now on. */
  stopAccepting(): void;
  /** Swaps the settings (SIGHUP); runs in flight keep the entries they started with. */
  reload(settings: Settings): void;
}

/**
 * Creates the HTTP server of SPEC section 3 (not yet listening): per-entry and single-URL
 * webhook routes, /healthz, the answer table, body and time limits. Every delivery is logged
 * once with its outcome and client address; nothing secret is logged. With `metrics`, webhook
 * requests are counted and GET /metrics is served when the settings say `metrics: true`.
 */
export function createWebhookServer(initial: Settings, queue: Queue, logger: Logger, metrics: Metrics | null = null): WebhookServer {
  let settings = initial;
  let trusted = addressList(settings.trustProxy);
  // Built once per settings, not per request: the allow_ips of each entry that has them.
  const allowListsOf = (s: Settings): Map<string, BlockList> =>
    new Map(s.entries.filter((e) => e.allowIps.length > 0).map((e) => [e.name, addressList(e.allowIps)]));
  let allowed = allowListsOf(settings);
  let accepting = true;
  // Connections Node answered 408 itself (requestTimeout): their unfinished body is a timeout, not a client's 400.
  const timedOut = new WeakSet<object>();
  // Connections whose request has reached the handler: its own delivery line tells the outcome.
  const handling = new WeakSet<object>();

  const server = createServer({
    headersTimeout: LIMITS.headersTimeoutMs,
    requestTimeout: LIMITS.requestTimeoutMs,
    keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
    connectionsCheckingInterval: 1_000,
  });
  server.maxConnections = LIMITS.maxConnections;
  // A backstop a little past requestTimeout, so Node's own 408 normally comes first.
  // Floods (over the connection caps, idle sockets timing out) are said once per address per window, with a count.
  const refusedConnection = rateLimitedWarn(logger, 'connection refused', REFUSED_LOG_MS);
  const onRefused = (peer: string): void => refusedConnection(peer, { client: peer, reason: `more than ${LIMITS.maxConnectionsPerClient} open connections from this address` });
  const refusedRequest = rateLimitedWarn(logger, 'request refused', REFUSED_LOG_MS);
  // Node drops connections over maxConnections itself, without a word: say so.
  server.on('drop', (data?: { remoteAddress?: string }) => {
    const peer = plainAddress(data?.remoteAddress ?? '');
    refusedConnection(peer, { client: peer, reason: `the server holds ${LIMITS.maxConnections} connections, its most` });
  });
  guardConnections(server, { deadlineMs: LIMITS.requestTimeoutMs + 5_000, perClient: LIMITS.maxConnectionsPerClient }, (peer) => settings.trustProxy.length > 0 && inList(trusted, peer), onRefused);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    handling.add(req.socket);
    res.once('close', () => handling.delete(req.socket));
    const client = clientAddress(req, trusted, settings.trustProxy.length > 0);
    if (metrics?.serve(req, res, client, settings, queue)) return;
    const info: DeliveryInfo = {};
    let entryName: string | undefined;
    const finish = (answer: Answer, close = false): void => {
      send(res, answer, close);
      metrics?.countDelivery(req, settings, entryName, answer.code);
      // Not deliveries: paths outside the webhook path and health probes (polled every few
      // seconds) stay out of the info log. An unknown entry under it is logged: a mistyped hook URL.
      const path = (req.url ?? '').split('?')[0]!;
      if ((entryName === undefined && answer.code === 404 && !isWebhookPath(path, settings.webhookUrlPath)) || path === '/healthz') {
        logger.debug('request', { method: req.method, path: req.url, client, answer: answer.code });
        return;
      }
      // 503 while shutting down is expected, not a fault of ours.
      const level = answer.code >= 500 && answer.code !== 503 ? 'error' : answer.code >= 400 ? 'warn' : 'info';
      logger[level]('delivery', {
        entry: entryName,
        // Which entry a mistyped hook URL named (the logger escapes what a sender put there).
        path: answer.code === 404 ? path.slice(0, 200) : undefined,
        forge: info.forge, event: info.event, delivery: info.delivery ?? undefined, client,
        answer: answer.code, outcome: answer.body.status, reason: typeof answer.body['reason'] === 'string' ? answer.body['reason'] : undefined,
        error: answer.logDetail,
        runs: info.entries, ms: Date.now() - started,
      });
    };
    handle(req, (e) => { entryName = e; }, client, info).then(
      (r) => finish(r.answer, r.close),
      (err: unknown) => {
        logger.error('request failed', { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) finish(answers.failed('internal error'), true);
      },
    );
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // As Node's own handler: oversized headers 431, a request that took too long 408, else 400.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') timedOut.add(socket);
    // A refusal sent is logged (a reset connection got none); a request already handed to the
    // handler is logged there, as a delivery.
    if (socket.writable && err.code !== 'ECONNRESET' && !handling.has(socket)) {
      const client = plainAddress((socket as { remoteAddress?: string }).remoteAddress ?? '');
      refusedRequest(`${client} ${status}`, { client, answer: Number(status.slice(0, 3)), reason: refusalReason(err) });
    }
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, setEntry: (name: string) => void, client: string, info: DeliveryInfo): Promise<{ answer: Answer; close?: boolean }> {
    const path = (req.url ?? '/').split('?')[0]!;
    const base = settings.webhookUrlPath;
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return { answer: answers.methodNotAllowed('GET') };
      if (!accepting) return { answer: answers.shuttingDown() };
      // Healthy means deliveries can be accepted: not while the state dir takes no writes.
      return { answer: queue.canRecord() ? answers.healthy() : answers.failed('the state dir cannot be written; see the daemon log') };
    }
    let entries: Entry[];
    if (path === base || path === `${base}/`) {
      entries = settings.entries.filter((e) => e.repo !== null);
    } else if (path.startsWith(`${base}/`)) {
      const name = path.slice(base.length + 1);
      const entry = settings.entries.find((e) => e.name === name);
      if (!entry) return { answer: answers.notFound('no such entry') };
      setEntry(entry.name);
      entries = [entry];
    } else {
      return { answer: answers.notFound() };
    }
    if (req.method !== 'POST') return { answer: answers.methodNotAllowed(), close: true };
    if (!accepting) return { answer: answers.shuttingDown(), close: true };

    const notAllowed = `client address ${client} is not allowed`;
    const blocked: Entry[] = [];
    entries = entries.filter((e) => {
      const list = allowed.get(e.name);
      if (list === undefined || inList(list, client)) return true;
      blocked.push(e);
      return false;
    });
    if (entries.length === 0) {
      // Every entry refuses this client: 403, as on an entry's own URL (a 404 would look like a wrong hook URL).
      return { answer: blocked.length > 0 ? answers.forbidden(notAllowed) : answers.notFound('no entry routes deliveries by repository (none names a repo)'), close: true };
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > settings.maxBody) return { answer: answers.tooLarge(settings.maxBody), close: true };
    let body: Buffer;
    try {
      body = await readBody(req, settings.maxBody, LIMITS.requestTimeoutMs);
    } catch (err) {
      if (err instanceof BodyTooLarge) return { answer: answers.tooLarge(settings.maxBody), close: true };
      if (err instanceof BodyTimedOut) return { answer: answers.timedOut(), close: true };
      // Node has answered 408 itself when the body took too long; the log and metrics say so.
      if (err instanceof BodyIncomplete && timedOut.has(req.socket)) return { answer: answers.timedOut(), close: true };
      // The client's fault, not ours: a 400 (which it will likely never read), logged as a warning.
      if (err instanceof BodyIncomplete) return { answer: answers.badPayload('the body ended before it was complete'), close: true };
      throw err;
    }
    const d = toDelivery(req.headers, body, entries.every((e) => e.provider === 'plain'));
    if ('refusal' in d) return { answer: d.refusal === 'type' ? answers.unsupportedType() : answers.badPayload(d.reason) };
    const verified = verifyFor(entries, d.delivery, { entries: blocked, reason: notAllowed });
    if (verified.refusal) return { answer: verified.refusal };
    if (entries.length === 1) setEntry(entries[0]!.name);
    // Returned, not awaited: this frame (the body, the delivery) is done while the write is on its way.
    return handleVerified(verified.ok, d.delivery, queue, info).then((answer) => ({ answer }));
  }

  return {
    server,
    stopAccepting: () => { accepting = false; },
    reload: (next) => {
      settings = next;
      trusted = addressList(next.trustProxy);
      allowed = allowListsOf(next);
    },
  };
}
