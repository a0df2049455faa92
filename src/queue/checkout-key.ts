import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Entry } from '../settings/types.ts';

/**
 * The key two runs share exactly when they touch the same checkout: the real path of the
 * entry's repodir (symlinks resolved; for a repodir not cloned yet, its real parent plus its
 * name). An entry without repodir (update: none) is keyed by its workdir.
 */
export function checkoutKey(entry: Entry): string {
  const dir = resolve(entry.repodir ?? entry.workdir);
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
