import type { Entry } from '../settings/types.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * The URL of the remote `entry.remote` as written in the checkout's config (`git config --get
 * remote.<name>.url`; not `remote get-url`, which applies insteadOf), trimmed; null when it
 * has none. Never throws.
 */
export async function remoteUrl(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  dir: string,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  const r = await runGit(entry, ['config', '--get', `remote.${entry.remote}.url`], dir, { ...opts, show: false });
  return (r.ok ? r.lines.at(-1)?.trim() : undefined) || null;
}
