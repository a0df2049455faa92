import type { Entry } from '../settings/types.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Tracked paths with changes in the work tree or the index (a staged new file too): what
 * `update: reset` discards and `ff-only` refuses. Read with --no-optional-locks, so the index
 * is not rewritten (a dry run changes nothing). The failed git result when status fails.
 */
export async function localChanges(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  repodir: string,
  opts: GitOptions & { deadline?: number },
): Promise<string[] | GitResult> {
  // -z: paths as they are (porcelain quotes a name with a space), one "XY path" each; the
  // output is one long "line", which the line splitter may cut: joined back without a '\n'.
  const r = await runGit(entry, ['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=no', '--no-renames'], repodir, { ...opts, show: false, keepAll: true });
  if (!r.ok) return r;
  return r.lines.join('').split('\0').filter((e) => e.length > 3).map((e) => e.slice(3));
}
