import type { Forge, ParseResult, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header } from './header.ts';
import { verdict } from './verdict.ts';
import { tokenEquals } from './token.ts';
import { at, firstStr, optCommit, optStr } from './read.ts';
import { isZeroCommit, pushEvent } from './push-event.ts';

/**
 * A plain trigger for scripts and other tools (curl, CI). Optional token, compared with
 * tokenEquals: `X-Webhook-Token: <token>` or `Authorization: Bearer <token>`; never from the
 * query string. The body may be empty or a JSON object with optional `ref` ('refs/heads/x',
 * 'refs/tags/x' or a bare branch name), `after`, `repository` ('owner/name' or an object with
 * `full_name`), `pusher`. Without `ref` the one event has ref '' and branch/tag null: "the
 * entry's own branch".
 */
export const plain: Forge = {
  name: 'plain',
  eventHeaders: [],

  verify(delivery, secret): VerifyResult {
    const given = header(delivery.headers, 'X-Webhook-Token') ?? bearer(header(delivery.headers, 'Authorization'));
    return verdict(secret, given, 'token (X-Webhook-Token or Authorization: Bearer)', tokenEquals);
  },

  parse(delivery, json): ParseResult {
    // An empty body is a bare "deploy now".
    const body: Record<string, unknown> = delivery.payload.length === 0 ? {} : json;
    const after = optCommit(body, 'after');
    const fullName = repository(body);
    const pusher = typeof body['pusher'] === 'string' ? body['pusher'] : firstStr(body, 'pusher.name', 'pusher.login');
    const rawRef = optStr(body, 'ref');
    if (rawRef === null) {
      return {
        kind: 'push',
        events: [{
          forge: 'plain', event: 'push', ref: '', branch: null, tag: null,
          before: null, after, deleted: false,
          repository: { fullName, name: fullName.split('/').pop() ?? '', cloneUrls: [] },
          pusher: pusher === '' ? null : pusher, deliveryId: null,
        }],
      };
    }
    const ref = rawRef.startsWith('refs/') ? rawRef : `refs/heads/${rawRef}`;
    return {
      kind: 'push',
      events: [pushEvent({
        forge: 'plain', event: 'push', ref, before: null, after, deleted: isZeroCommit(after),
        fullName, cloneUrls: [], pusher: pusher === '' ? null : pusher, deliveryId: null,
      })],
    };
  },
};

/** The token of an `Authorization: Bearer <token>` header, else null (other schemes give no token). */
function bearer(value: string | null): string | null {
  const m = value === null ? null : /^Bearer +(\S+) *$/i.exec(value);
  return m?.[1] ?? null;
}

/** `repository` as a string or `{full_name}`; '' when not given. */
function repository(body: Record<string, unknown>): string {
  const r = at(body, 'repository');
  if (r === undefined || r === null) return '';
  if (typeof r === 'string') return r;
  if (typeof r !== 'object' || Array.isArray(r)) throw new PayloadError('repository: expected a string or an object');
  return optStr(body, 'repository.full_name') ?? '';
}
