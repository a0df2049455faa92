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
