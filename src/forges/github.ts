import type { Forge, ParseResult, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header, headerText } from './header.ts';
import { shown } from './shown.ts';
import { verdict } from './verdict.ts';
import { prefixedHmac } from './prefixed-hmac.ts';
import { readGithubShapedPush } from './github-shaped.ts';

/**
 * GitHub (and GitHub Enterprise Server). Signature over the whole raw body, also for form
 * deliveries: `X-Hub-Signature-256: sha256=<hex>`, or `X-Hub-Signature: sha1=<hex>` only when
 * the 256 header is absent. Event `X-GitHub-Event`, delivery id `X-GitHub-Delivery`.
 */
export const github: Forge = {
  name: 'github',
  eventHeaders: ['X-GitHub-Event'],

  verify(delivery, secret): VerifyResult {
    const sha256 = header(delivery.headers, 'X-Hub-Signature-256');
    const sha1 = sha256 === null ? header(delivery.headers, 'X-Hub-Signature') : null;
    if (sha1 !== null) return verdict(secret, sha1, 'X-Hub-Signature', prefixedHmac('sha1=', 'sha1', delivery.body));
    return verdict(secret, sha256, 'X-Hub-Signature-256', prefixedHmac('sha256=', 'sha256', delivery.body));
  },

  parse(delivery, json): ParseResult {
    const raw = header(delivery.headers, 'X-GitHub-Event');
    if (raw === null) throw new PayloadError('missing X-GitHub-Event header');
    const event = shown(raw);
    if (event === 'ping') return { kind: 'ignore', event, reason: 'ping' };
    if (event !== 'push') return { kind: 'ignore', event, reason: `event '${event}' is not a push` };
    const deliveryId = headerText(delivery.headers, 'X-GitHub-Delivery');
    return { kind: 'push', events: [readGithubShapedPush(json, 'github', event, deliveryId)] };
  },
};
