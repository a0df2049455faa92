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

/**
 * A header for showing and recording (a delivery id), as header() gives it but with bytes that
 * form UTF-8 read as UTF-8: Node reads header bytes as latin1, one character per byte, and a
 * log line would show mojibake. Never for signatures or tokens, which are compared as sent.
 */
export function headerText(headers: IncomingHttpHeaders, name: string): string | null {
  const value = header(headers, name);
  if (value === null || !/[\x80-\xff]/.test(value)) return value;
  const utf8 = Buffer.from(value, 'latin1').toString('utf8');
  return utf8.includes('\ufffd') ? value : utf8;
}
