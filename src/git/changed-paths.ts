import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import type { GitOptions } from './types.ts';

/** One path that differs between two commits: its status (A added, D deleted, M modified, T type changed) and modes. */
export interface ChangedPath {
  status: 'A' | 'D' | 'M' | 'T';
  path: string;
  /** Modes as git prints them: '100644', '120000', '160000' (a submodule), '000000' (none). */
  oldMode: string;
  newMode: string;
}

/**
 * The paths that differ between commit `from` and commit `to` (both in dir's object store),
 * by `git diff-tree -r -z --no-renames <from> <to>`: what the change costs, not the tree (git
 * skips subtrees that did not change). Null when git fails. Never throws.
 */
export async function changedPaths(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  from: string,
  to: string,
  opts: GitOptions & { deadline?: number },
): Promise<ChangedPath[] | null> {
  const out = await gitPaths(entry, ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', from, to, '--'], dir, opts);
  if (out === null) return null;
  const changes: ChangedPath[] = [];
  // Raw format, -z: ":<old mode> <new mode> <old id> <new id> <status>" NUL "<path>" NUL.
  for (let i = 0; i + 1 < out.length; i += 2) {
    const [oldMode, newMode, , , status] = out[i]!.slice(1).split(' ');
    changes.push({ status: (status?.[0] ?? 'M') as ChangedPath['status'], path: out[i + 1]!, oldMode: oldMode!, newMode: newMode! });
  }
  return changes;
}
