import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import type { GitOptions } from './types.ts';

/**
 * Tracked paths with changes in the work tree or the index (a staged new file too): what
 * `update: reset` discards and `ff-only` refuses. Read with --no-optional-locks, so the index
 * is not rewritten (a dry run changes nothing). A message when git status fails.
 */
export async function localChanges(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  repodir: string,
  opts: GitOptions & { deadline?: number },
): Promise<string[] | string> {
  // -z: paths as they are (porcelain quotes a name with a space), one "XY path" each.
  const entries = await gitPaths(entry, ['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=no', '--no-renames'], repodir, opts);
  if (entries === null) return `git status failed in ${repodir}`;
  return entries.filter((e) => e.length > 3).map((e) => e.slice(3));
}
