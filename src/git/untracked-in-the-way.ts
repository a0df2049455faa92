import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import { showPaths } from './show-paths.ts';
import type { GitOptions } from './types.ts';

/** Files looked at in a folder the commit puts a file in place of; past it, the folder counts as in the way. */
const MAX_WALK = 10_000;

/**
 * Files of the server's own that moving the checkout to `ref` would overwrite or delete: the
 * commit tracks a path the index does not, and the work tree has there
 * - a file or symlink (an untracked or ignored `.env`);
 * - a folder holding files the index does not track (uploads, where the commit adds a file);
 * - or, in place of one of its parent folders, a file the index does not track (`data`, where
 *   the commit adds `data/x`).
 * `checkout --force` overwrites or deletes them without a word, and even `merge --ff-only`
 * deletes ignored ones; they are often the deployment's own and not in the repository. The
 * new paths come from `git diff --cached --name-only --diff-filter=D <ref>` (in the commit,
 * not in the index), what the index tracks there from `git ls-files`. Returns a refusal
 * message naming them (a folder with a trailing '/'), or null when there are none or they
 * cannot be listed (then the update goes on and git reports its own errors).
 */
export async function untrackedInTheWay(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  repodir: string,
  ref: string,
  how: string,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  // -z: names as they are (a quoted name would not be found on disk).
  const list = (args: string[]): Promise<string[] | null> => gitPaths(entry, ['--literal-pathspecs', ...args], repodir, opts);
  const added = await list(['diff', '--cached', '--name-only', '-z', '--no-renames', '--diff-filter=D', ref, '--']);
  if (added === null) return null;

  const inTheWay = new Set<string>();
  // Paths on disk whose tracking decides: folders in place of a new file, files in place of a new folder.
  const folders = new Set<string>();
  const files = new Set<string>();
  for (const path of added) {
    const kind = kindOf(join(repodir, path));
    if (kind === 'dir') folders.add(path);
    else if (kind === 'other') inTheWay.add(path);
    else {
      // Missing, or under a file: the first parent that is not a folder, if any, is in the way.
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join('/');
        const k = kindOf(join(repodir, parent));
        if (k === 'dir') continue;
        if (k === 'other') files.add(parent);
        break;
      }
    }
  }
  if (folders.size > 0 || files.size > 0) {
    const tracked = await list(['ls-files', '-z', '--', ...folders, ...files]);
    if (tracked === null) return null;
    const known = new Set(tracked);
    for (const f of files) if (!known.has(f)) inTheWay.add(f);
    for (const d of folders) if (holdsUntracked(repodir, d, known)) inTheWay.add(`${d}/`);
  }
  if (inTheWay.size === 0) return null;
  return `update ${how} refuses: the new commit puts files where ${repodir} has ${showPaths([...inTheWay].sort())}, `
    + 'which git does not track there; the update would overwrite or delete them. Move them away, or delete them if the repository\'s copy should win, and deploy again';
}

function kindOf(path: string): 'dir' | 'other' | 'none' {
  try {
    return lstatSync(path).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none'; // missing, or a parent is a file (ENOTDIR)
  }
}

/** Whether folder `dir` (relative to repodir) holds a file or symlink not in `tracked`; true past MAX_WALK files. */
function holdsUntracked(repodir: string, dir: string, tracked: Set<string>): boolean {
  let seen = 0;
  const walk = (rel: string): boolean => {
    let names: string[];
    try {
      names = readdirSync(join(repodir, rel));
    } catch {
      return true; // cannot look: fail closed
    }
    for (const name of names) {
      const path = `${rel}/${name}`;
      if (++seen > MAX_WALK) return true;
      if (kindOf(join(repodir, path)) === 'dir') {
        if (walk(path)) return true;
      } else if (!tracked.has(path)) return true;
    }
    return false;
  };
  return walk(dir);
}
