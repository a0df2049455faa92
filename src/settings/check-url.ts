import type { Node } from 'yaml';
import type { NotifyFormat } from '../model/names.ts';
import type { Report } from './report.ts';

/**
 * A Matrix target's URL: the room's client-server API URL, `<homeserver>/_matrix/client/v3/rooms/<room id>`
 * (groups: the homeserver's base, the room id as written, percent-encoded or not).
 */
export const MATRIX_ROOM_URL = /^(https?:\/\/[^/]+(?:\/.*?)?)\/_matrix\/client\/(?:v3|r0)\/rooms\/([^/?#]+)\/?$/;

/**
 * Reports what is wrong with a URL: 'bad-url' when it is not an http(s) URL (or, with
 * `shape`, does not match the MATRIX_ROOM_URL shape that message describes); 'insecure-url'
 * (a warning) when `inClear` names what goes to a non-loopback host over plain http. The
 * URL itself is never shown (it may be a secret); only its host.
 */
export function checkUrl(text: string, at: Node, what: string, report: Report, inClear: string | null, shape: string | null): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    report(at, 'error', 'bad-url', `${what} is not a URL (like https://host/path)`);
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    report(at, 'error', 'bad-url', `${what} must be an http:// or https:// URL, not ${url.protocol.slice(0, -1)}:`);
    return;
  }
  if (shape !== null && !MATRIX_ROOM_URL.test(text)) report(at, 'error', 'bad-url', `${what}: ${shape}`);
  if (inClear !== null && url.protocol === 'http:' && !isLoopback(url.hostname)) {
    report(at, 'warning', 'insecure-url', `${what} is http:// to ${url.host}: ${inClear} out in clear; use https://`);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/**
 * Checks a notify target's url (see checkUrl): a Matrix one must be a room's API URL; plain
 * http to another host is warned of (the message, and its token when it has one, go in clear).
 */
export function checkTargetUrl(url: string, at: Node, what: string, format: NotifyFormat, hasToken: boolean, report: Report): void {
  const matrix = format === 'matrix'
    ? 'a Matrix target\'s url is its room\'s API URL, like https://matrix.example.org/_matrix/client/v3/rooms/!room:example.org'
    : null;
  checkUrl(url, at, `${what}: its url`, report, hasToken ? 'the message and its token go' : 'the message goes', matrix);
}
