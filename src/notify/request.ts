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
