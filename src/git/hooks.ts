import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The hooks among `names` (post-checkout, post-merge, reference-transaction…) that git would
 * run from `hooksDir`: regular files this user may execute (git skips the others with a hint).
 * File looks only.
 */
export function activeHooks(hooksDir: string, names: string[]): string[] {
  return names.filter((name) => {
    const file = join(hooksDir, name);
    try {
      if (!statSync(file).isFile()) return false;
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
