import type { HttpRequest } from './types.ts';

/** The User-Agent of every request (GitHub's API refuses requests without one). */
export const USER_AGENT = 'whauto';

/** A request whose body is `body` as JSON, with `headers` besides Content-Type and User-Agent. */
export function jsonRequest(method: HttpRequest['method'], url: string, body: unknown, headers: Record<string, string> = {}): HttpRequest {
  return { method, url, headers: { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, ...headers }, body: JSON.stringify(body) };
}

/** `Authorization: Bearer <token>` when there is a token, else nothing. */
export function bearer(token: string | null): Record<string, string> {
  return token === null ? {} : { Authorization: `Bearer ${token}` };
}

/**
 * `req` with the user and password of its URL (`https://user:pass@host/…`, which fetch
 * refuses to send) moved into an `Authorization: Basic` header (RFC 7617), unless the
 * request has an Authorization header already (a token wins). Other requests as they are.
 * Throws only on a URL that does not parse.
 */
export function withUrlCredentials(req: HttpRequest): HttpRequest {
  const url = new URL(req.url);
  if (url.username === '' && url.password === '') return req;
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const has = Object.keys(req.headers).some((h) => h.toLowerCase() === 'authorization');
  return { ...req, url: url.href, headers: has ? req.headers : { ...req.headers, Authorization: `Basic ${basic}` } };
}
