import type { PushEvent } from '../forges/types.ts';
import { defaultBranch, whyNotDeployed } from '../model/deploys.ts';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';

type Route = { target: Target } | { ignore: string };

/** True when the delivery's repository is the entry's (case-insensitive; a bare name matches the name alone). */
function repoMatches(entry: Entry, event: PushEvent): boolean {
  // A plain delivery need not name its repository: its URL (and token) already say which entry.
  if (entry.repo === null || (event.forge === 'plain' && event.repository.fullName === '')) return true;
  const want = entry.repo.toLowerCase();
  if (want.includes('/')) return event.repository.fullName.toLowerCase() === want;
  return event.repository.name.toLowerCase() === want;
}

/**
 * Decides what one push event means for one entry: a target to deploy, or why it is ignored
 * (another repository, a deletion, a branch or tag the entry does not deploy: see whyNotDeployed).
 */
export function route(entry: Entry, event: PushEvent): Route {
  if (!repoMatches(entry, event)) return { ignore: `repository '${event.repository.fullName}' is not '${entry.repo}'` };
  if (event.ref === '') {
    const branch = defaultBranch(entry);
    return branch ? { target: { kind: 'branch', name: branch } } : { ignore: 'no ref given and the entry names no single branch' };
  }
  if (event.deleted) return { ignore: `${event.tag !== null ? 'tag' : 'branch'} deletion of ${event.ref}` };
  const target: Target | null = event.tag !== null ? { kind: 'tag', name: event.tag }
    : event.branch !== null ? { kind: 'branch', name: event.branch } : null;
  if (target === null) return { ignore: `${event.ref} is neither a branch nor a tag` };
  const why = whyNotDeployed(entry, target.kind, target.name);
  return why ? { ignore: why } : { target };
}
