import type { Forge, ParseResult, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header, headerText } from './header.ts';
import { shown } from './shown.ts';
import { verdict } from './verdict.ts';
import { verifyHexHmac } from './hmac.ts';
import { tokenEquals } from './token.ts';
import { readGithubShapedPush } from './github-shaped.ts';

/**
 * Gogs. `X-Gogs-Signature`: bare hex HMAC-SHA256 of the JSON document (the form's `payload`
 * value for form deliveries). Older Gogs sent no signature but put the secret in the JSON
 * (`"secret"`); that is compared (tokenEquals) only when the header is absent.
 * Event `X-Gogs-Event`, delivery id `X-Gogs-Delivery`.
 */
export const gogs: Forge = {
  name: 'gogs',
  eventHeaders: ['X-Gogs-Event'],

  verify(delivery, secret): VerifyResult {
    const given = header(delivery.headers, 'X-Gogs-Signature');
    if (given !== null || secret === null) {
      return verdict(secret, given, 'X-Gogs-Signature', (g, s) => verifyHexHmac('sha256', s, delivery.payload, g));
    }
    const inBody = bodySecret(delivery.payload);
    if (inBody === undefined) return { ok: false, status: 401, reason: 'missing X-Gogs-Signature' };
    return verdict(secret, inBody, 'payload secret', (g, s) => g !== '' && tokenEquals(g, s));
  },

  parse(delivery, json): ParseResult {
    const raw = header(delivery.headers, 'X-Gogs-Event');
    if (raw === null) throw new PayloadError('missing X-Gogs-Event header');
    const event = shown(raw);
    if (event !== 'push') return { kind: 'ignore', event, reason: `event '${event}' is not a push` };
    const deliveryId = headerText(delivery.headers, 'X-Gogs-Delivery');
    return { kind: 'push', events: [readGithubShapedPush(json, 'gogs', event, deliveryId)] };
  },
};

/** The body's `"secret"` field: undefined when absent or unreadable; '' stands for "present, not a string". */
function bodySecret(payload: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object' || !('secret' in json)) return undefined;
  const v = (json as Record<string, unknown>)['secret'];
  return typeof v === 'string' ? v : '';
}
