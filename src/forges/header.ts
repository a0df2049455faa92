import type { IncomingHttpHeaders } from 'node:http';

/**
 * One request header by name (any case): its string value, or null when it is absent or empty.
 * A header sent twice arrives as one comma-joined string or an array; an array is joined the
 * same way, so it can never match a signature and is refused, not picked from.
 */
export function header(headers: IncomingHttpHeaders, name: string): string | null {
  const lower = name.toLowerCase();
  let value = headers[lower];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
    value = key === undefined ? undefined : headers[key];
  }
  if (Array.isArray(value)) value = value.join(', ');
  return value === undefined || value === '' ? null : value;
}
