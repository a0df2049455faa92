import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import type { GitOptions } from './types.ts';

/** A tracked path with a change: `index` and `tree` are git status's X and Y letters (' ' none, 'M', 'A', 'D'…). */
export interface LocalChange {
  path: string;
  index: string;
  tree: string;
}

/**
 * Tracked paths with changes in the work tree or the index (a staged new file too): what
 * `update: reset` discards and `ff-only` refuses, by `git status --porcelain -z
 * --untracked-files=no --no-renames`. With `readOnly`, run with --no-optional-locks so the index
 * is not rewritten (a dry run changes nothing); a run lets git save what it learnt of the
 * files' stat data, so the checkout after it looks at them faster. A message when git status fails.
 */
export async function localChanges(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  repodir: string,
  opts: GitOptions & { deadline?: number; readOnly?: boolean },
): Promise<LocalChange[] | string> {
  // -z: paths as they are (porcelain quotes a name with a space), one "XY path" each.
  const entries = await gitPaths(entry, [...(opts.readOnly === false ? [] : ['--no-optional-locks']), 'status', '--porcelain', '-z', '--untracked-files=no', '--no-renames'], repodir, opts);
  if (entries === null) return `git status failed in ${repodir}`;
  return entries.filter((e) => e.length > 3).map((e) => ({ index: e[0]!, tree: e[1]!, path: e.slice(3) }));
}
