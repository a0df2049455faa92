import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { targetRef } from './check-ref-name.ts';
import { explainFailure } from './explain-failure.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * `git fetch` that writes objects only: no ref (the empty --refmap stops git's own update of
 * refs/remotes/<remote>/<b>), no FETCH_HEAD, no prune, gc or commit-graph, no submodules,
 * whatever the user's git config says. Add `-- <remote> <what>`.
 */
export const FETCH_OBJECTS_ONLY: readonly string[] = [
  'fetch', '--refmap=', '--no-write-fetch-head', '--no-tags', '--no-prune', '--no-auto-gc',
  '--no-write-commit-graph', '--recurse-submodules=no', '--quiet',
];

/**
 * Makes sure `commit` (the remote tip of `target`, as remoteTip read it) is in repodir's
 * object store, so that a dry run can look at it: `git cat-file -e <commit>^{commit}`, and
 * when it is missing, `git fetch --refmap= --no-write-fetch-head --no-tags --no-prune … --
 * <remote> refs/heads/<b>` (a tag: refs/tags/<t>) with no destination. That fetch writes
 * objects only: no ref (the empty --refmap stops git's own update of
 * refs/remotes/<remote>/<b>), no FETCH_HEAD, nothing in the work tree or the index; the
 * objects are unreferenced until a real run fetches them, and git's gc prunes them otherwise.
 * It fetches by name, not by commit, as servers need not serve an unadvertised commit.
 * Returns `{ fetched }` (whether it fetched), or `{ message }`: why the commit is not there
 * (the fetch failed, or the remote moved on since remoteTip). Never throws.
 */
export async function fetchCommit(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  commit: string,
  opts: GitOptions & { deadline?: number },
): Promise<{ fetched: boolean } | { message: string }> {
  const have = async () => (await runGit(entry, ['cat-file', '-e', `${commit}^{commit}`], repodir, { ...opts, show: false })).ok;
  if (await have()) return { fetched: false };
  const r = await runGit(entry, [...FETCH_OBJECTS_ONLY, '--', entry.remote, targetRef(target)], repodir, { ...opts, show: false });
  if (!r.ok) return { message: explainFailure(r, { step: 'fetch', repodir, remote: entry.remote, target }) };
  if (await have()) return { fetched: true };
  return { message: `${target.kind} ${target.name} on ${entry.remote} no longer points at ${commit}` };
}
