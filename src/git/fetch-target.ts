import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { targetRef } from '../model/target.ts';
import { explainFailure } from './explain-failure.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * The local ref a fetched target lands on: refs/remotes/<remote>/<branch>, or the tag itself.
 */
export function fetchedRef(remote: string, target: Target): string {
  return target.kind === 'tag' ? `refs/tags/${target.name}` : `refs/remotes/${remote}/${target.name}`;
}

/**
 * Fetches the target from the entry's remote with a forced refspec (force pushes deploy):
 * `git fetch --prune -- <remote> +refs/heads/<b>:refs/remotes/<remote>/<b>` (a tag:
 * `+refs/tags/<t>:refs/tags/<t>`). Returns null on success, else a message.
 */
export async function fetchTarget(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  const refspec = `+${targetRef(target)}:${fetchedRef(entry.remote, target)}`;
  const r = await runGit(entry, ['fetch', '--prune', '--no-tags', '--', entry.remote, refspec], repodir, { ...opts, show: true });
  return r.ok ? null : explainFailure(r, { step: 'fetch', repodir, remote: entry.remote, target });
}
