// A local HTTP server on 127.0.0.1 standing in for a chat service or a forge's API: it
// records each request and answers from a list the test sets (or leaves it hanging).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it came. */
export interface Recorded {
  method: string;
  /** The path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/** An answer: a status with headers, or 'hang' (the request gets no answer until close()). */
export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export interface StandIn {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: Recorded[];
  /** Answers for the next requests, in order; once used up, every request gets `fallback`. */
  answers: Answer[];
  fallback: Answer;
  /** Resolves with the requests once `n` have come (a generous deadline, not a clock). */
  waitFor(n: number, timeoutMs?: number): Promise<Recorded[]>;
  close(): Promise<void>;
}

/** Starts a stand-in on an ephemeral port that answers `fallback` unless `answers` says otherwise. */
export async function standIn(fallback: Answer = { status: 200 }): Promise<StandIn> {
  const hanging: ServerResponse[] = [];
  const waiters: Array<() => void> = [];
  const s: Omit<StandIn, 'url'> & { url: string } = {
    url: '', requests: [], answers: [], fallback,
    waitFor(n, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (s.requests.length < n) return false;
          clearTimeout(timer);
          resolve(s.requests.slice());
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`${s.requests.length} of ${n} requests came within ${timeoutMs} ms`)), timeoutMs);
        const again = (): void => { if (!check()) waiters.push(again); };
        again();
      });
    },
    close: () => new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try { json = JSON.parse(body); } catch { json = undefined; }
      s.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json });
      for (const w of waiters.splice(0)) w();
      const answer = s.answers.shift() ?? s.fallback;
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}
