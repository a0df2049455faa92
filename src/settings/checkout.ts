import { readdirSync, statSync } from 'node:fs';

/**
 * What is at a repodir, as the git update will find it: nothing or an empty folder (a clone
 * goes there), something that is not a folder, a folder with files but no `.git` (not a
 * checkout: every run fails), a checkout, or 'unknown' when the folder cannot be listed (no
 * permission: the service user may see more than whoever runs check). 'missing' also when
 * it cannot be stat'ed at all, as existsSync says.
 */
export function repodirState(repodir: string): 'missing' | 'empty' | 'not-a-folder' | 'no-git' | 'checkout' | 'unknown' {
  try {
    if (!statSync(repodir).isDirectory()) return 'not-a-folder';
  } catch {
    return 'missing';
  }
  let names: string[];
  try {
    names = readdirSync(repodir);
  } catch {
    return 'unknown';
  }
  if (names.length === 0) return 'empty';
  // A folder (a clone) or a file (a worktree or submodule: "gitdir: …").
  return names.includes('.git') ? 'checkout' : 'no-git';
}
