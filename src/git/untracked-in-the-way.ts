import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from '../settings/types.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/** Paths named in a refusal; the rest are counted. */
const SHOWN = 10;

/**
 * Files of the server's own that moving the checkout to `ref` would overwrite: paths the
 * commit tracks, the index does not, and the work tree has as a file or symlink (an
 * untracked or ignored `.env`, an upload). `checkout --force` overwrites them without a
 * word, and even a plain checkout or `merge --ff-only` overwrites ignored ones; they are
 * often the deployment's own and not in the repository. Found by
 * `git diff --cached --name-only --diff-filter=D <ref>` (in the commit, not in the index).
 * Returns a refusal message naming them, or null when there are none or they cannot be
 * listed (then the update goes on and git reports its own errors).
 */
export async function untrackedInTheWay(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  repodir: string,
  ref: string,
  how: string,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  // -z: names as they are (a quoted name would not be found on disk); the output is one long
  // "line", which the line splitter may cut: joined back without a '\n'.
  const r = await runGit(entry, ['diff', '--cached', '--name-only', '-z', '--no-renames', '--diff-filter=D', ref, '--'], repodir, {
    ...opts, show: false, keepAll: true,
  });
  if (!r.ok) return null;
  const inTheWay = r.lines.join('').split('\0').filter((path) => {
    if (path === '') return false;
    try {
      return !lstatSync(join(repodir, path)).isDirectory();
    } catch {
      return false;
    }
  });
  if (inTheWay.length === 0) return null;
  const more = inTheWay.length > SHOWN ? ` and ${inTheWay.length - SHOWN} more` : '';
  return `update ${how} refuses: the new commit adds ${inTheWay.slice(0, SHOWN).join(', ')}${more}, which ${inTheWay.length === 1 ? 'is' : 'are'} in ${repodir} but not tracked there; `
    + 'the update would overwrite them. Move them away, or delete them if the repository\'s copy should win, and deploy again';
}
