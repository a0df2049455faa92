import type { Entry } from '../settings/types.ts';
import { targetRef, type Target } from '../model/target.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Fetches the target from the entry's remote into `into` with a forced refspec (force pushes
 * deploy): `git fetch --prune --no-tags --no-recurse-submodules -- <remote>
 * +refs/heads/<b>:<into>` (a tag: `+refs/tags/<t>:<into>`), FETCH_HEAD written whatever git's
 * config says (the update reads the fetched commit from it). Submodules are not fetched here:
 * their own remotes, as the old commit's `.gitmodules` names them, may be gone; they are
 * brought to the new commit after `submodule sync`. `drop`: remote-tracking refs in the way of
 * `into` (`refs/remotes/origin/feat` before `…/feat/x`) of branches the remote no longer has,
 * deleted first (`git update-ref -d <ref> <commit>`: only while still at that commit), as
 * `--prune` would for a refspec that named them. Shown in the log. Never throws.
 */
export async function fetchTarget(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  into: string,
  opts: GitOptions & { deadline?: number },
  drop: { ref: string; commit: string }[] = [],
): Promise<GitResult> {
  for (const { ref, commit } of drop) {
    const r = await runGit(entry, ['update-ref', '-d', ref, commit], repodir, { ...opts, show: true });
    if (!r.ok) return r;
  }
  const refspec = `+${targetRef(target)}:${into}`;
  return runGit(entry, ['fetch', '--prune', '--no-tags', '--no-recurse-submodules', '--write-fetch-head', '--', entry.remote, refspec], repodir, { ...opts, show: true });
}
