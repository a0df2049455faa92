import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import type { GitOptions } from './types.ts';

/**
 * The files of `dir`'s work tree that git does not track there, ignored ones included (`git
 * status --porcelain -z --ignored --untracked-files=all`, read-only): the server's own files.
 * Folders of nested repositories (a submodule's checkout) are listed as the folder. Null
 * when git fails. Never throws.
 */
export async function ownFiles(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  opts: GitOptions & { deadline?: number },
): Promise<string[] | null> {
  const entries = await gitPaths(entry, ['--no-optional-locks', 'status', '--porcelain', '-z', '--ignored', '--untracked-files=all', '--no-renames'], dir, opts);
  if (entries === null) return null;
  return entries.filter((e) => e.startsWith('?? ') || e.startsWith('!! ')).map((e) => e.slice(3));
}
