import type { Forge, ParseResult, VerifyResult } from './types.ts';
import { PayloadError } from './types.ts';
import { header, headerText } from './header.ts';
import { shown } from './shown.ts';
import { verdict } from './verdict.ts';
import { tokenEquals } from './token.ts';
import { firstStr, optCommit, optStr } from './read.ts';
import { isZeroCommit, pushEvent } from './push-event.ts';
import { urlPath } from './url-path.ts';

/**
 * GitLab. `X-Gitlab-Token` carries the secret itself (no HMAC). Event `X-Gitlab-Event`:
 * `Push Hook`, `Tag Push Hook`, or `System Hook` whose body `event_name` is push / tag_push.
 * Delivery id `X-Gitlab-Event-UUID`. No deleted flag: a deletion has after = zeros.
 */
export const gitlab: Forge = {
  name: 'gitlab',
  eventHeaders: ['X-Gitlab-Event'],

  verify(delivery, secret): VerifyResult {
    return verdict(secret, header(delivery.headers, 'X-Gitlab-Token'), 'X-Gitlab-Token', tokenEquals);
  },

  parse(delivery, json): ParseResult {
    const raw = header(delivery.headers, 'X-Gitlab-Event');
    if (raw === null) throw new PayloadError('missing X-Gitlab-Event header');
    const event = shown(raw);
    if (event === 'System Hook') {
      const kind = firstStr(json, 'event_name', 'object_kind') ?? '';
      if (kind !== 'push' && kind !== 'tag_push') {
        return { kind: 'ignore', event, reason: `system hook event '${shown(kind)}' is not a push` };
      }
    } else if (event !== 'Push Hook' && event !== 'Tag Push Hook') {
      return { kind: 'ignore', event, reason: `event '${event}' is not a push` };
    }
    const after = optCommit(json, 'after');
    return {
      kind: 'push',
      events: [pushEvent({
        forge: 'gitlab',
        event,
        ref: json['ref'],
        before: optCommit(json, 'before'),
        after,
        deleted: isZeroCommit(after),
        fullName: fullName(json),
        cloneUrls: cloneUrls(json),
        pusher: firstStr(json, 'user_username', 'user_name'),
        deliveryId: headerText(delivery.headers, 'X-Gitlab-Event-UUID'),
      })],
    };
  },
};

/** project.path_with_namespace; very old payloads: the path of a repository URL, else its name. */
function fullName(json: Record<string, unknown>): string {
  const full = optStr(json, 'project.path_with_namespace');
  if (full !== null) return full;
  for (const key of ['git_http_url', 'git_ssh_url', 'homepage', 'url']) {
    const url = optStr(json, `repository.${key}`);
    const path = url === null ? null : urlPath(url);
    if (path !== null) return path;
  }
  const name = optStr(json, 'repository.name');
  if (name === null) throw new PayloadError('project.path_with_namespace: expected a string');
  return name;
}

function cloneUrls(json: Record<string, unknown>): string[] {
  const urls = ['project.git_http_url', 'project.git_ssh_url', 'repository.git_http_url', 'repository.git_ssh_url']
    .map((p) => optStr(json, p))
    .filter((u): u is string => u !== null);
  const old = optStr(json, 'repository.url');
  if (urls.length === 0 && old !== null) urls.push(old);
  return urls;
}
