import type { ServerResponse } from 'node:http';

/** An HTTP answer: status code, JSON body `{status, …}`, extra headers. */
export interface Answer {
  code: number;
  body: { status: string; [key: string]: unknown };
  headers?: Record<string, string>;
  /** Said in the daemon's log only, never to the client (an I/O error names server paths). */
  logDetail?: string;
}

/** The answers of SPEC section 3, in one table. Reasons never carry a secret or expected MAC. */
export const answers = {
  queued: (runs: Array<{ entry: string; id: string }>): Answer => ({ code: 202, body: { status: 'queued', runs } }),
  ignored: (reason: string): Answer => ({ code: 200, body: { status: 'ignored', reason } }),
  badPayload: (reason: string): Answer => ({ code: 400, body: { status: 'bad request', reason } }),
  unauthenticated: (reason: string): Answer => ({ code: 401, body: { status: 'unauthenticated', reason } }),
  forbidden: (reason: string): Answer => ({ code: 403, body: { status: 'forbidden', reason } }),
  notFound: (reason = 'no such route'): Answer => ({ code: 404, body: { status: 'not found', reason } }),
  methodNotAllowed: (allow: 'POST' | 'GET' = 'POST'): Answer => ({ code: 405, body: { status: 'method not allowed', reason: `use ${allow}` }, headers: { Allow: allow } }),
  timedOut: (): Answer => ({ code: 408, body: { status: 'request timeout', reason: 'the request was not complete in time' } }),
  tooLarge: (max: number): Answer => ({ code: 413, body: { status: 'too large', reason: `the body is over ${max} bytes` } }),
  unsupportedType: (): Answer => ({ code: 415, body: { status: 'unsupported media type', reason: 'send application/json or application/x-www-form-urlencoded' } }),
  failed: (reason: string, logDetail?: string): Answer => ({ code: 500, body: { status: 'error', reason }, ...(logDetail ? { logDetail } : {}) }),
  shuttingDown: (): Answer => ({ code: 503, body: { status: 'shutting down', reason: 'the server is shutting down; deliver again later' } }),
  healthy: (): Answer => ({ code: 200, body: { status: 'ok' } }),
};

/** Sends `answer` as JSON. `close` also ends the connection (after a refused body). */
export function send(res: ServerResponse, answer: Answer, close = false): void {
  const text = JSON.stringify(answer.body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...answer.headers,
  };
  if (close) headers['Connection'] = 'close';
  res.writeHead(answer.code, headers);
  res.end(text);
}
