import type { DeliveryRef } from '../model/run-record.ts';
import type { Entry, NotifyTarget } from '../settings/types.ts';
import { FORMATS } from './formats.ts';
import { statusRepo } from './repository.ts';
import { send, type SendOptions, type SendResult } from './send.ts';
import { shownUrl } from './shown-url.ts';
import { statusApi } from './status-apis.ts';
import type { Announcement, StatusUpdate } from './types.ts';

const unsent = (error: string): SendResult => ({ ok: false, status: null, tries: 0, error });

/** Sends `a` to the notify target `t` in its format. Never rejects; a result says what went wrong. */
export async function sendNotify(t: NotifyTarget, a: Announcement, opts: SendOptions): Promise<SendResult> {
  if (t.url === null) return unsent('its url could not be read here (url_file or url_env)');
  if (t.format === 'matrix' && t.token === null) return unsent('its token could not be read here (token_file or token_env)');
  let req;
  try {
    req = FORMATS[t.format].request({ url: t.url, token: t.token }, a);
  } catch (err) {
    return unsent(err instanceof Error ? err.message : 'cannot build the request');
  }
  return send(req, opts);
}

/** A commit status to set, without what the entry's commit_status gives. */
type StatusChange = Omit<StatusUpdate, 'context' | 'targetUrl'>;

/**
 * Sets the commit status `change` for `entry` through its forge's API (see statusRepo for
 * where it goes). null when the entry has no commit_status or its forge no such API (check
 * says so); else where it went (scheme and host) and how.
 */
export async function sendStatus(entry: Entry, newest: DeliveryRef | null, change: StatusChange, opts: SendOptions): Promise<{ target: string; result: SendResult } | null> {
  const settings = entry.commitStatus;
  const api = statusApi(entry.provider);
  if (settings === null || api === null) return null;
  const repo = await statusRepo(entry, newest, api, settings.apiUrl);
  if (typeof repo === 'string') return { target: settings.apiUrl ? shownUrl(settings.apiUrl) : entry.provider, result: unsent(repo) };
  const target = shownUrl(repo.apiBase);
  if (settings.token === null) return { target, result: unsent('its token could not be read here (token_file or token_env)') };
  const req = api.request(repo, settings.token, { ...change, context: settings.context, targetUrl: settings.targetUrl });
  return { target, result: await send(req, opts) };
}
