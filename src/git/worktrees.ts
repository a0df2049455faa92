import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import type { GitOptions } from './types.ts';

/** One worktree of a repository: its folder and the branch it has checked out (null: detached or bare). */
interface Worktree {
  path: string;
  branch: string | null;
}

/**
 * The worktrees of the repository `dir` belongs to (the main one first), by `git worktree
 * list --porcelain -z`. Null when git fails. Never throws.
 */
export async function worktrees(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  opts: GitOptions & { deadline?: number },
): Promise<Worktree[] | null> {
  const out = await gitPaths(entry, ['worktree', 'list', '--porcelain', '-z'], dir, opts);
  if (out === null) return null;
  const list: Worktree[] = [];
  // Records of "key value" fields; a record starts with "worktree <path>".
  for (const field of out) {
    if (field.startsWith('worktree ')) list.push({ path: field.slice('worktree '.length), branch: null });
    else if (field.startsWith('branch ') && list.length > 0) list[list.length - 1]!.branch = field.slice('branch '.length);
  }
  return list;
}
