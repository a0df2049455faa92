import type { Entry } from '../settings/types.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Which of `refs` (full names, `refs/heads/<b>`) `remote` (a remote's name, run in the
 * checkout `dir`) has now, by one `git ls-remote -- <remote> <refs…>` (no fetch, changes
 * nothing). The failed git result when it cannot say. Never throws.
 */
export async function remoteBranches(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  remote: string,
  refs: string[],
  opts: GitOptions & { deadline?: number },
): Promise<Set<string> | { failed: GitResult }> {
  const r = await runGit(entry, ['ls-remote', '--', remote, ...refs], dir, { ...opts, show: false });
  if (!r.ok) return { failed: r };
  // ls-remote matches a pattern against a ref's tail too: only the exact names count.
  return new Set(r.lines.map((l) => l.split('\t')[1] ?? '').filter((name) => refs.includes(name)));
}
