import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { targetRef } from '../model/target.ts';
import { explainFailure } from './explain-failure.ts';
import { runGit, type GitResult } from './run-git.ts';
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
 * Makes sure `commit` is in `dir`'s object store: `git cat-file -e <commit>^{commit}`, and when
 * it is missing, a FETCH_OBJECTS_ONLY fetch of `what` (a ref name, or the commit itself) from
 * `remote`. Returns `{ fetched }` (whether it fetched), or `{ failed }`: the failed fetch, or
 * null when the fetch went through but brought no such commit. Never throws.
 */
export async function ensureCommit(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  commit: string,
  remote: string,
  what: string,
  opts: GitOptions & { deadline?: number },
): Promise<{ fetched: boolean } | { failed: GitResult | null }> {
  const have = async () => (await runGit(entry, ['cat-file', '-e', `${commit}^{commit}`], dir, { ...opts, show: false })).ok;
  if (await have()) return { fetched: false };
  const r = await runGit(entry, [...FETCH_OBJECTS_ONLY, '--', remote, what], dir, { ...opts, show: false });
  if (!r.ok) return { failed: r };
  return (await have()) ? { fetched: true } : { failed: null };
}

/**
 * ensureCommit for a dry run: `commit` is the remote tip of `target` (as remoteTip read it),
 * fetched by name (refs/heads/<b> or refs/tags/<t>), as servers need not serve an
 * unadvertised commit. The objects stay unreferenced until a real run fetches them, and git's
 * gc prunes them otherwise. Returns `{ fetched }`, or `{ message }`: why the commit is not
 * there (the fetch failed, or the remote moved on since remoteTip). Never throws.
 */
export async function fetchCommit(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  commit: string,
  opts: GitOptions & { deadline?: number },
): Promise<{ fetched: boolean } | { message: string }> {
  const r = await ensureCommit(entry, repodir, commit, entry.remote, targetRef(target), opts);
  if ('fetched' in r) return r;
  if (r.failed) return { message: explainFailure(r.failed, { step: 'fetch', repodir, remote: entry.remote, target }) };
  return { message: `${target.kind} ${target.name} on ${entry.remote} no longer points at ${commit}` };
}
