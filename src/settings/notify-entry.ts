import { STATUS_PROVIDERS, type ProviderName } from '../model/names.ts';
import type { CommitStatusSettings, NotifyTarget } from './types.ts';
import { checkTargetUrl, checkUrl } from './check-url.ts';
import { resolveSecret, type SecretContext, type SecretKeys } from './secret.ts';
import type { RawCommitStatus, RawTarget } from './notify-values.ts';
import type { RawField } from './nodes.ts';

const URL_KEYS: SecretKeys = { inline: 'url', env: 'url_env', file: 'url_file' };
const TOKEN_KEYS: SecretKeys = { inline: 'token', env: 'token_env', file: 'token_file' };

/**
 * The entry's notify targets with their url and token read (url_file, url_env, token_file,
 * token_env, as secrets are: see resolveSecret). Where `ctx.readSecrets` is false they are
 * read too but their problems are not reported (null then). A url read from a file or the
 * environment is checked as parseNotify checks one written inline (checkTargetUrl).
 */
export function notifyTargets(raw: RawTarget[], ctx: SecretContext): NotifyTarget[] {
  return raw.map((t) => {
    const url = readSource(t.sources, URL_KEYS, ctx);
    // An inline url was checked with the rest of the target (parseNotify).
    const read = t.sources.get('url_file') ?? t.sources.get('url_env');
    if (url !== null && read) checkTargetUrl(url, read.node, `'notify' target ${t.n}`, t.format, t.sources.has('token_file') || t.sources.has('token_env'), ctx.report);
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
