import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import { pathKind, pathKinds } from './path-kind.ts';
import type { GitOptions } from './types.ts';

/** Files looked at in a folder the commit puts a file in place of; past it, the folder counts as in the way. */
const MAX_WALK = 10_000;

/**
 * Files of the server's own that moving the checkout to a commit adding `added` (paths the
 * commit tracks and the index does not, or tracked files the server replaced by a folder)
 * would overwrite or delete: at such a path the work
 * tree has
 * - a file or symlink (an untracked or ignored `.env`);
 * - a folder holding files the index does not track (uploads, where the commit adds a file);
 * - or, in place of one of its parent folders, a file the index does not track (`data`, where
 *   the commit adds `data/x`).
 * `checkout --force` overwrites or deletes them without a word, and even `merge --ff-only`
 * deletes ignored ones; they are often the deployment's own and not in the repository. What
 * the index tracks there comes from `git ls-files` of those few paths. Returns the paths in the
 * way (a folder with a trailing '/'), sorted; null when they cannot be listed.
 */
export async function untrackedInTheWay(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  repodir: string,
  added: string[],
  opts: GitOptions & { deadline?: number },
): Promise<string[] | null> {
  // -z: names as they are (a quoted name would not be found on disk).
  const list = (args: string[]): Promise<string[] | null> => gitPaths(entry, ['--literal-pathspecs', ...args], repodir, opts);
  const inTheWay = new Set<string>();
  // Paths on disk whose tracking decides: folders in place of a new file, files in place of a new folder.
  const folders = new Set<string>();
  const files = new Set<string>();
  // lstat of each folder on the way down, once: a parent that is a symlink (the commit puts a
  // folder where a tracked symlink was) is looked at, never looked through.
  const kindAt = pathKinds(repodir);
  for (const path of added) {
    const parts = path.split('/');
    let under = true;
    for (let i = 1; i < parts.length && under; i++) {
      const parent = parts.slice(0, i).join('/');
      const k = kindAt(parent);
      if (k === 'dir') continue;
      // A file or symlink where the commit needs a folder is in the way unless tracked; a
      // missing one has nothing under it.
      if (k !== 'none') files.add(parent);
      under = false;
    }
    if (!under) continue;
    const kind = kindAt(path);
    if (kind === 'dir') folders.add(path);
    else if (kind !== 'none') inTheWay.add(path);
  }
  if (folders.size > 0 || files.size > 0) {
    const tracked = await list(['ls-files', '-z', '--', ...folders, ...files]);
    if (tracked === null) return null;
    const known = new Set(tracked);
    for (const f of files) if (!known.has(f)) inTheWay.add(f);
    for (const d of folders) if (holdsUntracked(repodir, d, known)) inTheWay.add(`${d}/`);
  }
  return [...inTheWay].sort();
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
      if (pathKind(join(repodir, path)) === 'dir') {
        if (walk(path)) return true;
      } else if (!tracked.has(path)) return true;
    }
    return false;
  };
  return walk(dir);
}
