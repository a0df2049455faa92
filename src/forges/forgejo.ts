import type { Forge, ParseResult, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header, headerText } from './header.ts';
import { shown } from './shown.ts';
import { verdict } from './verdict.ts';
import { verifyHexHmac } from './hmac.ts';
import { readGithubShapedPush } from './github-shaped.ts';

/**
 * Forgejo. Like Gitea, with its own headers: `X-Forgejo-Signature` (bare hex HMAC-SHA256 of the
 * JSON document, the form's `payload` value for form deliveries), `X-Forgejo-Event`,
 * `X-Forgejo-Delivery`. Forgejo also sends the X-Gitea-* ones; each is read as a fallback.
 */
export const forgejo: Forge = {
  name: 'forgejo',
  eventHeaders: ['X-Forgejo-Event', 'X-Gitea-Event'],

  verify(delivery, secret): VerifyResult {
    const own = header(delivery.headers, 'X-Forgejo-Signature');
    const given = own ?? header(delivery.headers, 'X-Gitea-Signature');
    const what = own === null && given !== null ? 'X-Gitea-Signature' : 'X-Forgejo-Signature';
    return verdict(secret, given, what, (g, s) => verifyHexHmac('sha256', s, delivery.payload, g));
  },

  parse(delivery, json): ParseResult {
    const raw = header(delivery.headers, 'X-Forgejo-Event') ?? header(delivery.headers, 'X-Gitea-Event');
    if (raw === null) throw new PayloadError('missing X-Forgejo-Event header');
    const event = shown(raw);
    if (event !== 'push') return { kind: 'ignore', event, reason: `event '${event}' is not a push` };
    const deliveryId = headerText(delivery.headers, 'X-Forgejo-Delivery') ?? headerText(delivery.headers, 'X-Gitea-Delivery');
    return { kind: 'push', events: [readGithubShapedPush(json, 'forgejo', event, deliveryId)] };
  },
};
