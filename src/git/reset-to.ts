import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { explainFailure } from './explain-failure.ts';
import { fetchedRef } from './fetch-target.ts';
import { runGit } from './run-git.ts';
import { updateRefusal } from './update-refusal.ts';
import type { GitOptions } from './types.ts';

/**
 * `update: reset`: checks the fetched target out, discarding changes to tracked files.
 * Branch: `git checkout --force -B <b> refs/remotes/<remote>/<b> --` (HEAD on the branch);
 * tag: `git checkout --force --detach refs/tags/<t> --`. Changes in the index go too (a
 * staged new file is removed). Untracked and ignored files are kept (no `git clean`): they
 * are often the deployment's own (.env, uploads, node_modules); when the new commit adds one
 * of their paths, it refuses (see updateRefusal) rather than overwrite it.
 * Returns null on success, else a message.
 */
export async function resetTo(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote' | 'submodules'>,
  repodir: string,
  target: Target,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  const ref = fetchedRef(entry.remote, target);
  const refusal = await updateRefusal(entry, repodir, target, ref, 'reset', opts);
  if (refusal) return refusal;
  const args = target.kind === 'tag'
    ? ['checkout', '--force', '--detach', ref, '--']
    : ['checkout', '--force', '-B', target.name, ref, '--'];
  const r = await runGit(entry, args, repodir, { ...opts, show: true });
  return r.ok ? null : explainFailure(r, { step: 'checkout', repodir, remote: entry.remote, target });
}
