import type { PushEvent } from './types.ts';
import { PayloadError } from './types.ts';
import { at, firstStr, optCommit, optStr } from './read.ts';
import { isZeroCommit, pushEvent } from './push-event.ts';
import { checkRef } from './ref.ts';

/**
 * Reads the push payload shape GitHub, Gitea, Forgejo and Gogs share: top-level `ref`,
 * `before`, `after`, optional `deleted`, `repository`, `pusher`/`sender`.
 * Full name: repository.full_name, else owner (login, username or name) + '/' + name
 * (GitHub's pre-2014 payloads). Throws PayloadError for a bad ref, commit id or repository.
 */
export function readGithubShapedPush(
  json: Record<string, unknown>, forge: string, event: string, deliveryId: string | null,
): PushEvent {
  // The ref first: a hand-made payload gets it wrong more often than the rest, and says so then.
  const ref = checkRef(json['ref'], 'ref');
  const before = optCommit(json, 'before');
  const after = optCommit(json, 'after');
  return pushEvent({
    forge,
    event,
    ref,
    before,
    after,
    deleted: at(json, 'deleted') === true || isZeroCommit(after),
    fullName: fullName(json),
    cloneUrls: cloneUrls(json),
    pusher: firstStr(json, 'pusher.login', 'pusher.username', 'pusher.name', 'sender.login', 'sender.username'),
    deliveryId,
  });
}

function fullName(json: Record<string, unknown>): string {
  const full = optStr(json, 'repository.full_name');
  if (full !== null) return full;
  const name = optStr(json, 'repository.name');
  const owner = firstStr(json, 'repository.owner.login', 'repository.owner.username', 'repository.owner.name');
  if (name === null || owner === null) throw new PayloadError('repository.full_name: expected a string');
  return `${owner}/${name}`;
}

function cloneUrls(json: Record<string, unknown>): string[] {
  const urls = ['clone_url', 'ssh_url', 'git_url']
    .map((k) => optStr(json, `repository.${k}`))
    .filter((u): u is string => u !== null);
  // Pre-2014 GitHub payloads name only the web URL, which git can clone over https.
  const web = optStr(json, 'repository.url');
  if (urls.length === 0 && web !== null && /^https?:\/\//.test(web) && !web.includes('://api.')) urls.push(web);
  return urls;
}
