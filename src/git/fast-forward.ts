import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { explainFailure } from './explain-failure.ts';
import { fetchedRef } from './fetch-target.ts';
import { head } from './head.ts';
import { runGit } from './run-git.ts';
import { untrackedInTheWay } from './untracked-in-the-way.ts';
import type { GitOptions } from './types.ts';

/**
 * `update: ff-only`: moves the checkout to the fetched target only when that loses nothing.
 * Refuses (changing nothing) when tracked files have local changes, or when the local branch
 * is not an ancestor of the remote tip (diverged), or when the target adds a path the work
 * tree has untracked or ignored (see untrackedInTheWay). Then: switch to the branch if HEAD is
 * elsewhere, `git merge --ff-only refs/remotes/<remote>/<b>`. A branch that does not exist
 * locally yet is created at the tip; a tag is checked out detached.
 * Returns null on success, else a message.
 */
export async function fastForward(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  const ctx = { repodir, remote: entry.remote, target };
  const git = (args: string[], show: boolean) => runGit(entry, args, repodir, { ...opts, show });
  const tip = fetchedRef(entry.remote, target);

  const status = await git(['status', '--porcelain', '--untracked-files=no'], false);
  if (!status.ok) return explainFailure(status, { ...ctx, step: 'status' });
  if (status.lines.some((l) => l.trim() !== '')) {
    return `repodir ${repodir} has local changes; update ff-only refuses to touch it`;
  }

  // git itself refuses untracked files in the way here, but overwrites ignored ones (.env).
  const inTheWay = await untrackedInTheWay(entry, repodir, tip, 'ff-only', opts);
  if (inTheWay) return inTheWay;

  if (target.kind === 'tag') {
    const r = await git(['checkout', '--detach', tip, '--'], true);
    return r.ok ? null : explainFailure(r, { ...ctx, step: 'checkout' });
  }

  const local = `refs/heads/${target.name}`;
  const hasLocal = (await head(repodir, { ...opts, gitBinary: entry.gitBinary, rev: local })) !== null;
  if (!hasLocal) {
    const r = await git(['checkout', '-b', target.name, tip, '--'], true);
    return r.ok ? null : explainFailure(r, { ...ctx, step: 'checkout' });
  }
  const ancestor = await git(['merge-base', '--is-ancestor', local, tip], false);
  if (ancestor.exitCode === 1) {
    return `branch ${target.name} in ${repodir} has diverged from ${entry.remote}/${target.name}; update ff-only refuses`;
  }
  if (!ancestor.ok) return explainFailure(ancestor, { ...ctx, step: 'merge-base' });

  const current = await git(['symbolic-ref', '--quiet', 'HEAD'], false);
  if (current.lines[current.lines.length - 1] !== local) {
    const r = await git(['checkout', target.name, '--'], true);
    if (!r.ok) return explainFailure(r, { ...ctx, step: 'checkout' });
  }
  const r = await git(['merge', '--ff-only', tip], true);
  return r.ok ? null : explainFailure(r, { ...ctx, step: 'merge --ff-only' });
}
