import type { IncomingHttpHeaders } from 'node:http';
import type { Delivery } from '../forges/types.ts';

type DeliveryOrRefusal = { delivery: Delivery } | { refusal: 'type' } | { refusal: 'form'; reason: string };

/**
 * Builds the Delivery a forge verifies and parses: JSON bodies as they are; form bodies
 * (`application/x-www-form-urlencoded`, as GitHub, Gitea and Gogs can send) must hold exactly
 * one `payload` field, whose decoded value is the JSON. An empty body with no content type,
 * or a JSON or form one, is read as `{}` where `emptyOk` (the plain provider).
 */
export function toDelivery(headers: IncomingHttpHeaders, body: Buffer, emptyOk: boolean): DeliveryOrRefusal {
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // A script's curl often sends its content type, or -d '', with nothing in the body.
  if (body.length === 0 && emptyOk && (type === '' || type === 'application/json' || type === 'application/x-www-form-urlencoded')) {
    return { delivery: { headers, body, contentType: 'json', payload: Buffer.from('{}') } };
  }
  if (type === 'application/json') return { delivery: { headers, body, contentType: 'json', payload: body } };
  if (type === 'application/x-www-form-urlencoded') {
    const values = new URLSearchParams(body.toString('utf8')).getAll('payload');
    if (values.length !== 1) {
      // `curl -d '{…}'` sends JSON as a form: say what to change.
      const looksJson = values.length === 0 && /^\s*[{[]/.test(body.toString('latin1', 0, 64));
      return {
        refusal: 'form',
        reason: `a form body must hold exactly one 'payload' field (found ${values.length})${looksJson ? '; the body looks like JSON: send it with Content-Type: application/json' : ''}`,
      };
    }
    // Percent-escapes decode as UTF-8, the encoding the forge signed the JSON in.
    const payload = Buffer.from(values[0]!, 'utf8');
    return { delivery: { headers, body, contentType: 'form', payload } };
  }
  return { refusal: 'type' };
}
