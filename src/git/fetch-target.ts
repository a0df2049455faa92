import type { Entry } from '../settings/types.ts';
import { targetRef, type Target } from '../model/target.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Fetches the target from the entry's remote into `into` with a forced refspec (force pushes
 * deploy): `git fetch --prune --no-tags --no-recurse-submodules -- <remote>
 * +refs/heads/<b>:<into>` (a tag: `+refs/tags/<t>:<into>`). Submodules are not fetched here:
 * their own remotes, as the old commit's `.gitmodules` names them, may be gone; they are
 * brought to the new commit after `submodule sync`. Shown in the log. Never throws.
 */
export function fetchTarget(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  into: string,
  opts: GitOptions & { deadline?: number },
): Promise<GitResult> {
  const refspec = `+${targetRef(target)}:${into}`;
  return runGit(entry, ['fetch', '--prune', '--no-tags', '--no-recurse-submodules', '--', entry.remote, refspec], repodir, { ...opts, show: true });
}
