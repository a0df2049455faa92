import type { PushEvent } from '../forges/types.ts';
import type { Target } from '../runs/types.ts';
import type { Entry } from '../settings/types.ts';
import { globMatch, isLiteral } from '../settings/glob.ts';

export type Route = { target: Target } | { ignore: string };

/** True when the delivery's repository is the entry's (case-insensitive; a bare name matches the name alone). */
export function repoMatches(entry: Entry, event: PushEvent): boolean {
  // A plain delivery need not name its repository: its URL (and token) already say which entry.
  if (entry.repo === null || (event.forge === 'plain' && event.repository.fullName === '')) return true;
  const want = entry.repo.toLowerCase();
  if (want.includes('/')) return event.repository.fullName.toLowerCase() === want;
  return event.repository.name.toLowerCase() === want;
}

/** The branch an entry deploys when nothing names one (a manual run, a plain delivery without ref). */
export function defaultBranch(entry: Entry): string | null {
  return entry.branches.find(isLiteral) ?? null;
}

/**
 * Decides what one push event means for one entry: a target to deploy, or why it is ignored
 * (another repository, a deletion, a tag where tags are off, another branch).
 */
export function route(entry: Entry, event: PushEvent): Route {
  if (!repoMatches(entry, event)) return { ignore: `repository '${event.repository.fullName}' is not '${entry.repo}'` };
  if (event.ref === '') {
    const branch = defaultBranch(entry);
    return branch ? { target: { kind: 'branch', name: branch } } : { ignore: 'no ref given and the entry names no single branch' };
  }
  if (event.deleted) return { ignore: `${event.tag !== null ? 'tag' : 'branch'} deletion of ${event.ref}` };
  if (event.tag !== null) {
    if (entry.tags === false) return { ignore: `tag push of ${event.tag} (tags are off for entry ${entry.name})` };
    if (typeof entry.tags === 'string' && !globMatch(entry.tags, event.tag)) return { ignore: `tag ${event.tag} does not match '${entry.tags}'` };
    return { target: { kind: 'tag', name: event.tag } };
  }
  if (event.branch !== null && entry.branches.some((b) => globMatch(b, event.branch!))) {
    return { target: { kind: 'branch', name: event.branch } };
  }
  return { ignore: `branch ${event.branch ?? event.ref} is not deployed by entry ${entry.name}` };
}
