import { formatDuration } from '../log/format-duration.ts';
import { retryAfterMs } from './retry-after.ts';
import type { HttpRequest } from './types.ts';
import { withUrlCredentials } from './request.ts';

/** ms one try may take before it is given up. */
const TRY_TIMEOUT_MS = 10_000;
/** Tries in all: the first and two more. */
const TRIES = 3;
/** ms before the second try; doubled before the third. */
const BACKOFF_MS = 1000;
/** The longest `Retry-After` honoured (ms); a longer one ends the tries. */
const MAX_RETRY_AFTER_MS = 60_000;

export interface SendOptions {
  /** ms one try may take. Default TRY_TIMEOUT_MS. */
  timeoutMs?: number;
  /** ms before the second try (doubled before the third) when no Retry-After says. Default BACKOFF_MS. */
  backoffMs?: number;
  /** Aborting it ends the sending at once (error 'stopped'). */
  signal?: AbortSignal;
}

/** How a request went. */
export interface SendResult {
  ok: boolean;
  /** The last HTTP status that came; null when none did. */
  status: number | null;
  /** Tries made (0 when the request could not be made at all). */
  tries: number;
  /** Why it was not sent ('HTTP 404', 'no answer within 10s', 'ECONNREFUSED', …); null when sent. Never holds the URL. */
  error: string | null;
}

/** One try: the status that came, or why none did and whether another try may help. */
interface Try {
  status: number | null;
  error: string | null;
  retry: boolean;
  waitMs: number | null;
}

/**
 * Sends `req` with fetch: each try gets `timeoutMs`; network errors, 5xx and 429 are tried
 * again (up to TRIES in all) after the `Retry-After` the answer gives (up to
 * MAX_RETRY_AFTER_MS; a longer one ends the tries) or else the backoff; other answers
 * outside 2xx are final. Redirects are not followed (a token must not go elsewhere); the
 * answer's body is not read. Never rejects.
 */
export async function send(req: HttpRequest, opts: SendOptions = {}): Promise<SendResult> {
  try {
    new URL(req.url);
  } catch {
    return { ok: false, status: null, tries: 0, error: 'not a valid URL' };
  }
  const backoff = opts.backoffMs ?? BACKOFF_MS;
  for (let tries = 1; ; tries++) {
    const t = await tryOnce(req, opts.timeoutMs ?? TRY_TIMEOUT_MS, opts.signal);
    const result = { ok: t.error === null, status: t.status, tries, error: t.error };
    if (result.ok || !t.retry || tries >= TRIES || opts.signal?.aborted) return result;
    if (t.waitMs !== null && t.waitMs > MAX_RETRY_AFTER_MS) {
      return { ...result, error: `${t.error}; it asks to wait ${formatDuration(t.waitMs)}, more than ${formatDuration(MAX_RETRY_AFTER_MS)}` };
    }
    if (!(await sleep(t.waitMs ?? backoff * 2 ** (tries - 1), opts.signal))) return { ...result, error: 'stopped' };
  }
}

async function tryOnce(req: HttpRequest, timeoutMs: number, signal: AbortSignal | undefined): Promise<Try> {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, timeoutMs);
  const stop = (): void => ctl.abort();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    if (signal?.aborted) return { status: null, error: 'stopped', retry: false, waitMs: null };
    const sent = withUrlCredentials(req);
    const res = await fetch(sent.url, { method: sent.method, headers: sent.headers, body: sent.body, redirect: 'manual', signal: ctl.signal });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { status: res.status, error: null, retry: false, waitMs: null };
    const retry = res.status === 429 || res.status >= 500;
    return { status: res.status, error: `HTTP ${res.status}`, retry, waitMs: retry ? retryAfterMs(res.headers.get('retry-after')) : null };
  } catch (err) {
    if (timedOut) return { status: null, error: `no answer within ${formatDuration(timeoutMs)}`, retry: true, waitMs: null };
    if (signal?.aborted) return { status: null, error: 'stopped', retry: false, waitMs: null };
    return networkError(err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}

/**
 * What a failed fetch says, without its message (which may hold the URL): the cause's code
 * (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET…) for a network error, worth another try;
 * anything else (a header fetch refuses) is final.
 */
function networkError(err: unknown): Try {
  const e = err as { name?: string; message?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TypeError' && e.message === 'fetch failed') {
    return { status: null, error: e.cause?.code ?? e.cause?.name ?? 'network error', retry: true, waitMs: null };
  }
  return { status: null, error: `cannot send (${e?.name ?? 'error'})`, retry: false, waitMs: null };
}

/** Waits `ms`; resolves false at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
