// Builds Delivery values the way the server does, for the forge tests.
import { statSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Delivery } from '../../src/forges/types.ts';

/** A JSON delivery: payload is the body. Header names are lower-cased as node:http does. */
export function jsonDelivery(headers: Record<string, string>, body: string | Buffer): Delivery {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { headers: lower(headers), body: bytes, contentType: 'json', payload: bytes };
}

/** A form delivery (`payload=<urlencoded JSON>`): payload is the decoded `payload` field. */
export function formDelivery(headers: Record<string, string>, body: string | Buffer): Delivery {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const value = new URLSearchParams(bytes.toString('utf8')).get('payload') ?? '';
  return { headers: lower(headers), body: bytes, contentType: 'form', payload: Buffer.from(value, 'utf8') };
}

/** The parsed JSON object of a delivery, as the server hands it to `parse`. */
export function jsonOf(delivery: Delivery): Record<string, unknown> {
  if (delivery.payload.length === 0) return {};
  return JSON.parse(delivery.payload.toString('utf8')) as Record<string, unknown>;
}

function lower(headers: Record<string, string>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The shared fixtures folder (../shared/fixtures from the repository root), or null when missing. */
export function fixturesDir(): string | null {
  const dir = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
  try {
    return statSync(dir).isDirectory() ? dir : null;
  } catch {
    return null;
  }
}
