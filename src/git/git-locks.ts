import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The lock files git would stumble on when updating a checkout to `refs` (full ref names):
 * the index's and HEAD's in `gitDir`, `packed-refs.lock` and each ref's in `commonDir`. Such a
 * file is left by a git that crashed, or held by one that runs: either way git refuses to
 * write, part way through. File looks only; paths relative to the checkout's top when inside it.
 */
export function gitLocks(gitDir: string, commonDir: string, refs: string[]): string[] {
  const files = [join(gitDir, 'index.lock'), join(gitDir, 'HEAD.lock'), join(commonDir, 'packed-refs.lock'),
    ...refs.map((r) => join(commonDir, `${r}.lock`))];
  return [...new Set(files)].filter((f) => existsSync(f));
}

/**
 * The lock files `git submodule sync` and `update` would stumble on in a submodule's git
 * folder `gitDir` (`.git/modules/<name>`): its index's, HEAD's and config's. File looks only.
 */
export function submoduleLocks(gitDir: string): string[] {
  return ['index.lock', 'HEAD.lock', 'config.lock'].map((f) => join(gitDir, f)).filter((f) => existsSync(f));
}
