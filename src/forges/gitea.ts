import type { Forge, ParseResult, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header, headerText } from './header.ts';
import { shown } from './shown.ts';
import { verdict } from './verdict.ts';
import { verifyHexHmac } from './hmac.ts';
import { readGithubShapedPush } from './github-shaped.ts';

/**
 * Gitea. `X-Gitea-Signature`: bare hex HMAC-SHA256 of the JSON document (for a form delivery,
 * the decoded `payload` value: that is what Gitea signs). Gitea also sends GitHub-style headers;
 * they are not read, so a delivery carrying only those is refused (401). Event `X-Gitea-Event`,
 * delivery id `X-Gitea-Delivery`. `create`/`delete` events are not pushes (a deletion also
 * arrives as a `push` with after = zeros).
 */
export const gitea: Forge = {
  name: 'gitea',
  eventHeaders: ['X-Gitea-Event'],

  verify(delivery, secret): VerifyResult {
    const given = header(delivery.headers, 'X-Gitea-Signature');
    return verdict(secret, given, 'X-Gitea-Signature', (g, s) => verifyHexHmac('sha256', s, delivery.payload, g));
  },

  parse(delivery, json): ParseResult {
    const raw = header(delivery.headers, 'X-Gitea-Event');
    if (raw === null) throw new PayloadError('missing X-Gitea-Event header');
    const event = shown(raw);
    if (event !== 'push') return { kind: 'ignore', event, reason: `event '${event}' is not a push` };
    const deliveryId = headerText(delivery.headers, 'X-Gitea-Delivery');
    return { kind: 'push', events: [readGithubShapedPush(json, 'gitea', event, deliveryId)] };
  },
};
