import type { Node } from 'yaml';
import { STATUS_PROVIDERS, type ProviderName } from '../model/names.ts';
import type { CommitStatusSettings, NotifyTarget } from './types.ts';
import type { Report } from './report.ts';
import { resolveSecret, type SecretContext, type SecretKeys } from './secret.ts';
import type { RawCommitStatus, RawTarget } from './notify-values.ts';
import type { RawField } from './validate.ts';

const URL_KEYS: SecretKeys = { inline: 'url', env: 'url_env', file: 'url_file' };
const TOKEN_KEYS: SecretKeys = { inline: 'token', env: 'token_env', file: 'token_file' };

/**
 * A Matrix target's URL: the room's client-server API URL, `<homeserver>/_matrix/client/v3/rooms/<room id>`
 * (groups: the homeserver's base, the room id as written, percent-encoded or not).
 */
export const MATRIX_ROOM_URL = /^(https?:\/\/[^/]+(?:\/.*?)?)\/_matrix\/client\/(?:v3|r0)\/rooms\/([^/?#]+)\/?$/;

/**
 * The entry's notify targets with their url and token read (url_file, url_env, token_file,
 * token_env, as secrets are: see resolveSecret). Where `ctx.readSecrets` is false they are
 * read too but their problems are not reported (null then). Each url is checked: 'bad-url'
 * (not http(s), not a URL, a Matrix url that is not a room's), 'insecure-url' (a warning:
 * http:// to a host other than this one).
 */
export function notifyTargets(raw: RawTarget[], ctx: SecretContext): NotifyTarget[] {
  return raw.map((t, i) => {
    const url = readSource(t.sources, URL_KEYS, ctx);
    const at = t.sources.get('url') ?? t.sources.get('url_file') ?? t.sources.get('url_env');
    if (url !== null && at) {
      const matrix = t.format === 'matrix'
        ? 'a Matrix target\'s url is its room\'s API URL, like https://matrix.example.org/_matrix/client/v3/rooms/!room:example.org'
        : null;
      const inClear = t.sources.has('token_file') || t.sources.has('token_env') ? 'the message and its token go' : 'the message goes';
      checkUrl(url, at.node, `notify target ${i + 1}: its url`, ctx.report, inClear, matrix);
    }
    return { format: t.format, url, on: t.on, token: readSource(t.sources, TOKEN_KEYS, ctx) };
  });
}

/**
 * The entry's commit_status with its token read (as notifyTargets reads one), the context
 * defaulting to whauto/<entry>. Reports 'no-status-api' (a warning: gogs and plain have no
 * commit status API, nothing is sent) and checks api_url and target_url (see checkUrl).
 */
export function commitStatusOf(raw: RawCommitStatus | null, entry: string, provider: ProviderName, ctx: SecretContext): CommitStatusSettings | null {
  if (raw === null) return null;
  if (!(STATUS_PROVIDERS as readonly string[]).includes(provider)) {
    ctx.report(raw.at, 'warning', 'no-status-api', `entry '${entry}': ${provider} has no commit status API, so commit_status is never sent`);
  }
  if (raw.apiUrl) checkUrl(raw.apiUrl.value as string, raw.apiUrl.node, 'commit_status.api_url', ctx.report, 'the token goes', null);
  if (raw.targetUrl) checkUrl(raw.targetUrl.value as string, raw.targetUrl.node, 'commit_status.target_url', ctx.report, null, null);
  return {
    token: readSource(raw.sources, TOKEN_KEYS, ctx),
    context: raw.context ?? `whauto/${entry}`,
    apiUrl: (raw.apiUrl?.value as string | undefined)?.replace(/\/+$/, '') ?? null,
    targetUrl: (raw.targetUrl?.value as string | undefined) ?? null,
  };
}

function readSource(fields: Map<string, RawField>, keys: SecretKeys, ctx: SecretContext): string | null {
  // A command that reads no secrets still sends notifications (trigger): read, but quietly.
  const quiet = ctx.readSecrets === false;
  return resolveSecret(fields, { ...ctx, readSecrets: true, report: quiet ? () => undefined : ctx.report }, keys);
}

/**
 * Reports what is wrong with a URL: 'bad-url' when it is not an http(s) URL (or, with
 * `shape`, does not match the MATRIX_ROOM_URL shape that message describes); 'insecure-url'
 * (a warning) when `inClear` names what goes to a non-loopback host over plain http. The
 * URL itself is never shown (it may be a secret); only its host.
 */
function checkUrl(text: string, at: Node, what: string, report: Report, inClear: string | null, shape: string | null): void {
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
