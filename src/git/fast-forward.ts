import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { explainFailure } from './explain-failure.ts';
import { fetchedRef } from './fetch-target.ts';
import { head } from './head.ts';
import { runGit } from './run-git.ts';
import { updateRefusal } from './update-refusal.ts';
import type { GitOptions } from './types.ts';

/**
 * `update: ff-only`: moves the checkout to the fetched target only when that loses nothing.
 * Refuses (changing nothing) when tracked files have local changes, or when the local branch
 * is not an ancestor of the remote tip (diverged), or when the target adds a path the work
 * tree has untracked or ignored (see updateRefusal). Then: switch to the branch if HEAD is
 * elsewhere, `git merge --ff-only refs/remotes/<remote>/<b>`. A branch that does not exist
 * locally yet is created at the tip; a tag is checked out detached.
 * Returns null on success, else a message.
 */
export async function fastForward(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote' | 'submodules'>,
  repodir: string,
  target: Target,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  const ctx = { repodir, remote: entry.remote, target };
  const git = (args: string[], show: boolean) => runGit(entry, args, repodir, { ...opts, show });
  const tip = fetchedRef(entry.remote, target);

  const refusal = await updateRefusal(entry, repodir, target, tip, 'ff-only', opts);
  if (refusal) return refusal;

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
  const current = await git(['symbolic-ref', '--quiet', 'HEAD'], false);
  if (current.lines[current.lines.length - 1] !== local) {
    const r = await git(['checkout', target.name, '--'], true);
    if (!r.ok) return explainFailure(r, { ...ctx, step: 'checkout' });
  }
  const r = await git(['merge', '--ff-only', tip], true);
  return r.ok ? null : explainFailure(r, { ...ctx, step: 'merge --ff-only' });
}
