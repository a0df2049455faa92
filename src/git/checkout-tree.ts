import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from '../settings/types.ts';
import { processEnv } from './git-env.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Writes the tree of `commit` from the git store `gitDir` into the folder `into` (which must
 * exist): `git read-tree <commit>` into an index of its own (`<gitDir>/whauto-release.index`,
 * removed after), then `git checkout-index --all --force` with `into` as the work tree. The
 * folder gets the commit's files as a checkout writes them (modes, symlinks, .gitattributes
 * filters and line endings) and nothing else: no `.git`, no index; a submodule's folder is
 * left empty. Shown in the log. Resolves with the git step that failed and its result, or null. Never throws.
 */
export async function checkoutTree(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  gitDir: string,
  commit: string,
  into: string,
  opts: GitOptions & { deadline?: number },
): Promise<{ step: 'read-tree' | 'checkout-index'; failed: GitResult } | null> {
  const index = join(gitDir, 'whauto-release.index');
  const env = { ...(opts.env ?? processEnv()), GIT_INDEX_FILE: index };
  const git = (args: string[]) => runGit(entry, [`--git-dir=${gitDir}`, `--work-tree=${into}`, ...args], into, { ...opts, env, show: true });
  try {
    const read = await git(['read-tree', commit]);
    if (!read.ok) return { step: 'read-tree', failed: read };
    const out = await git(['checkout-index', '--all', '--force']);
    return out.ok ? null : { step: 'checkout-index', failed: out };
  } finally {
    // A stale one (the process was killed) is replaced by the next read-tree anyway.
    rmSync(index, { force: true });
  }
}
