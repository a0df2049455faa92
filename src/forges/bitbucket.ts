import type { Forge, ParseResult, PushEvent, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header, headerText } from './header.ts';
import { shown } from './shown.ts';
import { verdict } from './verdict.ts';
import { prefixedHmac } from './prefixed-hmac.ts';
import { arr, at, firstStr, optCommit, optObj, optStr, str } from './read.ts';
import { pushEvent } from './push-event.ts';

/**
 * Bitbucket Cloud. `X-Hub-Signature: sha256=<hex>` over the raw body (SHA-256 under the header
 * name GitHub uses for SHA-1). Event `X-Event-Key` (`repo:push`), delivery id `X-Request-UUID`.
 * Each entry of `push.changes[]` is its own event; `new` null means the ref was deleted.
 * The pre-2015 "POST service" form payload is refused with a PayloadError.
 */
export const bitbucket: Forge = {
  name: 'bitbucket',
  eventHeaders: ['X-Event-Key'],

  verify(delivery, secret): VerifyResult {
    const given = header(delivery.headers, 'X-Hub-Signature');
    return verdict(secret, given, 'X-Hub-Signature', prefixedHmac('sha256=', 'sha256', delivery.body));
  },

  parse(delivery, json): ParseResult {
    const raw = header(delivery.headers, 'X-Event-Key');
    if (raw === null) {
      if (at(json, 'canon_url') !== undefined && at(json, 'commits') !== undefined) {
        throw new PayloadError('legacy Bitbucket POST service payload is not supported; add a repository webhook (repo:push) instead');
      }
      throw new PayloadError('missing X-Event-Key header');
    }
    const event = shown(raw);
    if (event !== 'repo:push') return { kind: 'ignore', event, reason: `event '${event}' is not a push` };
    const changes = arr(json, 'push.changes');
    if (changes.length === 0) return { kind: 'ignore', event, reason: 'push without changes' };
    const fullName = str(json, 'repository.full_name');
    const common = {
      fullName,
      cloneUrls: cloneUrls(json, fullName),
      pusher: firstStr(json, 'actor.username', 'actor.nickname', 'actor.display_name'),
      deliveryId: headerText(delivery.headers, 'X-Request-UUID'),
    };
    const events = changes.map((change, i) => readChange(change, `push.changes.${i}`, event, common));
    return { kind: 'push', events };
  },
};

function readChange(
  change: unknown, path: string, event: string,
  common: { fullName: string; cloneUrls: string[]; pusher: string | null; deliveryId: string | null },
): PushEvent {
  if (change === null || typeof change !== 'object' || Array.isArray(change)) throw new PayloadError(`${path}: expected an object`);
  const next = optObj(change, 'new');
  const prev = optObj(change, 'old');
  const side = next !== null ? 'new' : 'old';
  const named = next ?? prev;
  if (named === null) throw new PayloadError(`${path}: neither new nor old is set`);
  const type = str(named, 'type');
  const name = str(named, 'name');
  const prefix = type === 'branch' ? 'refs/heads/' : type === 'tag' ? 'refs/tags/' : null;
  if (prefix === null) throw new PayloadError(`${path}.${side}.type: expected 'branch' or 'tag'`);
  return pushEvent({
    forge: 'bitbucket',
    event,
    ref: prefix + name,
    refPath: `${path}.${side}.name`,
    before: prev === null ? null : optCommit(prev, 'target.hash'),
    after: next === null ? null : optCommit(next, 'target.hash'),
    deleted: next === null,
    ...common,
  });
}

/** The payload names no clone URL; for bitbucket.org repositories the standard ones follow from the web URL. */
function cloneUrls(json: Record<string, unknown>, fullName: string): string[] {
  const html = optStr(json, 'repository.links.html.href');
  if (html === null || !/^https:\/\/bitbucket\.org\/[^/]+\/[^/]+\/?$/.test(html)) return [];
  return [`https://bitbucket.org/${fullName}.git`, `git@bitbucket.org:${fullName}.git`];
}
