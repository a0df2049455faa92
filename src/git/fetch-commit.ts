import type { Entry } from '../settings/types.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * `git fetch` that writes objects only: no ref (the empty --refmap stops git's own update of
 * refs/remotes/<remote>/<b>), no FETCH_HEAD, no prune, gc or commit-graph, no submodules,
 * whatever the user's git config says. Add `-- <remote> <what>`.
 */
const FETCH_OBJECTS_ONLY: readonly string[] = [
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
