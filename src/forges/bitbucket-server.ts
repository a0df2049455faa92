import type { Forge, ParseResult, PushEvent, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header, headerText } from './header.ts';
import { shown } from './shown.ts';
import { verdict } from './verdict.ts';
import { prefixedHmac } from './prefixed-hmac.ts';
import { arr, at, firstStr, optCommit, optStr, str } from './read.ts';
import { isZeroCommit, pushEvent } from './push-event.ts';

const PING = 'diagnostics:ping';

/**
 * Bitbucket Server / Data Center. `X-Hub-Signature: sha256=<hex>` over the raw body; the
 * `diagnostics:ping` event ("Test connection") is sent unsigned and is accepted unsigned (it is
 * only ever ignored). Event `X-Event-Key` (`repo:refs_changed`), delivery id `X-Request-Id`.
 * Each `changes[]` item is its own event (type ADD / UPDATE / DELETE).
 */
export const bitbucketServer: Forge = {
  name: 'bitbucket-server',
  eventHeaders: ['X-Event-Key'],

  verify(delivery, secret): VerifyResult {
    if (header(delivery.headers, 'X-Event-Key') === PING) return { ok: true };
    const given = header(delivery.headers, 'X-Hub-Signature');
    return verdict(secret, given, 'X-Hub-Signature', prefixedHmac('sha256=', 'sha256', delivery.body));
  },

  parse(delivery, json): ParseResult {
    const raw = header(delivery.headers, 'X-Event-Key');
    if (raw === null) throw new PayloadError('missing X-Event-Key header');
    const event = shown(raw);
    if (event === PING) return { kind: 'ignore', event, reason: 'ping' };
    if (event !== 'repo:refs_changed') return { kind: 'ignore', event, reason: `event '${event}' is not a push` };
    const changes = arr(json, 'changes');
    if (changes.length === 0) return { kind: 'ignore', event, reason: 'push without changes' };
    const slug = str(json, 'repository.slug');
    const common = {
      fullName: `${str(json, 'repository.project.key')}/${slug}`,
      cloneUrls: cloneUrls(json),
      pusher: firstStr(json, 'actor.name', 'actor.slug', 'actor.displayName'),
      deliveryId: headerText(delivery.headers, 'X-Request-Id'),
    };
    const events = changes.map((change, i) => readChange(change, `changes.${i}`, event, common));
    return { kind: 'push', events };
  },
};

function readChange(
  change: unknown, path: string, event: string,
  common: { fullName: string; cloneUrls: string[]; pusher: string | null; deliveryId: string | null },
): PushEvent {
  if (change === null || typeof change !== 'object' || Array.isArray(change)) throw new PayloadError(`${path}: expected an object`);
  const type = at(change, 'type');
  if (type !== 'ADD' && type !== 'UPDATE' && type !== 'DELETE') {
    throw new PayloadError(`${path}.type: expected ADD, UPDATE or DELETE`);
  }
  const refPath = at(change, 'ref.id') !== undefined ? 'ref.id' : 'refId';
  const after = optCommit(change, 'toHash');
  return pushEvent({
    forge: 'bitbucket-server',
    event,
    ref: at(change, refPath),
    refPath: `${path}.${refPath}`,
    before: optCommit(change, 'fromHash'),
    after,
    deleted: type === 'DELETE' || isZeroCommit(after),
    ...common,
  });
}

/** repository.links.clone[] hrefs, http(s) before ssh. */
function cloneUrls(json: Record<string, unknown>): string[] {
  const links = at(json, 'repository.links.clone');
  if (!Array.isArray(links)) return [];
  const named = links.map((l) => ({ name: optStr(l, 'name') ?? '', href: optStr(l, 'href') }));
  const rank = (n: string) => (n.startsWith('http') ? 0 : 1);
  return named
    .filter((l): l is { name: string; href: string } => l.href !== null)
    .sort((a, b) => rank(a.name) - rank(b.name))
    .map((l) => l.href);
}
