import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Entry } from '../settings/types.ts';

/**
 * The key two runs share exactly when they touch the same checkout: the real path of the
 * entry's repodir (symlinks resolved; for a repodir not cloned yet, its real parent plus its
 * name). An entry without repodir (update: none) has no checkout: its key is its own name, so
 * its runs wait only for each other, not for other entries that share its workdir.
 */
export function checkoutKey(entry: Entry): string {
  if (entry.repodir === null) return `entry ${entry.name}`;
  const dir = resolve(entry.repodir);
  try {
    return realpathSync(dir);
  } catch {
    try {
      return join(realpathSync(dirname(dir)), basename(dir));
    } catch {
      return dir;
    }
  }
}
