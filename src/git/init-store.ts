import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Entry } from '../settings/types.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Makes `dir` an empty bare repository (a git store with no work tree), its parents created:
 * `git init --bare --quiet`; with `remote`, `git config remote.<name>.url <url>` in it. Shown
 * in the log. Resolves with the failed git result (or an error when a folder cannot be
 * made), or null. Never throws.
 */
export async function initStore(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  remote: { name: string; url: string } | null,
  opts: GitOptions & { deadline?: number },
): Promise<GitResult | Error | null> {
  try {
    mkdirSync(dirname(dir), { recursive: true });
  } catch (err) {
    return err as Error;
  }
  const init = await runGit(entry, ['init', '--bare', '--quiet', '--', dir], dirname(dir), { ...opts, show: true });
  if (!init.ok || remote === null) return init.ok ? null : init;
  const set = await runGit(entry, ['config', `remote.${remote.name}.url`, remote.url], dir, { ...opts, show: true });
  return set.ok ? null : set;
}
