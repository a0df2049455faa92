import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { explainFailure } from './explain-failure.ts';
import { head } from './head.ts';
import { localChanges } from './local-changes.ts';
import { runGit } from './run-git.ts';
import { showPaths } from './show-paths.ts';
import { submodulesInTheWay } from './submodules-in-the-way.ts';
import { untrackedInTheWay } from './untracked-in-the-way.ts';
import type { GitOptions } from './types.ts';

/**
 * Why `update` (reset or ff-only) would refuse to move the checkout to `rev` (a ref or a
 * commit that is in repodir's object store), or null: both refuse a commit that adds a path
 * the work tree has untracked or ignored (see untrackedInTheWay); ff-only also refuses local
 * changes to tracked files, and a local branch of the target that is not an ancestor of
 * `rev` (diverged); with `entry.submodules`, the same look inside the submodules `rev` moves
 * (submodulesInTheWay; a dry run passes `onUnknown` for those it cannot look into). Only
 * reads (but for a submodule commit's objects): the real update (resetTo, fastForward) and
 * the dry run share it, so both refuse the same things. Never throws.
 */
export async function updateRefusal(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote' | 'submodules'>,
  repodir: string,
  target: Target,
  rev: string,
  update: 'reset' | 'ff-only',
  opts: GitOptions & { deadline?: number; onUnknown?: (message: string) => void },
): Promise<string | null> {
  const ctx = { repodir, remote: entry.remote, target };
  // --no-optional-locks: status must not rewrite the index (its stat cache) in a dry run.
  const git = (args: string[]) => runGit(entry, ['--no-optional-locks', ...args], repodir, { ...opts, show: false });

  if (update === 'ff-only') {
    const changed = await localChanges(entry, repodir, opts);
    if (typeof changed === 'string') return changed;
    if (changed.length > 0) {
      return `repodir ${repodir} has local changes to ${showPaths(changed)}; update ff-only refuses to touch it`;
    }
  }

  // git itself refuses untracked files in the way of ff-only, but overwrites ignored ones (.env).
  const inTheWay = await untrackedInTheWay(entry, repodir, rev, update, opts);
  if (inTheWay) return inTheWay;
  // `submodule update --force` overwrites files of the server's own inside submodules too.
  if (entry.submodules) {
    const inSubmodule = await submodulesInTheWay(entry, repodir, rev, update, opts);
    if (inSubmodule) return inSubmodule;
  }

  if (update === 'ff-only' && target.kind === 'branch') {
    const local = `refs/heads/${target.name}`;
    // A branch not there yet is created at the tip: nothing to diverge from.
    if ((await head(repodir, { ...opts, gitBinary: entry.gitBinary, rev: local })) === null) return null;
    const ancestor = await git(['merge-base', '--is-ancestor', local, rev]);
    if (ancestor.exitCode === 1) {
      return `branch ${target.name} in ${repodir} has diverged from ${entry.remote}/${target.name}; update ff-only refuses`;
    }
    if (!ancestor.ok) return explainFailure(ancestor, { ...ctx, step: 'merge-base' });
  }
  return null;
}
