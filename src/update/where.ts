import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGit } from '../git/run-git.ts';
import type { GitOptions } from '../git/types.ts';
import type { Entry } from '../settings/types.ts';

/** Reads made after a step failed or the run was cut off: their own 10 s, whatever the run had left. */
function quick(opts: GitOptions): GitOptions & { show: false } {
  return { ...(opts.env ? { env: opts.env } : {}), timeoutMs: 10_000, show: false };
}

/** Where a checkout stands: HEAD's commit and the branch it is on (null: detached). */
export interface Where {
  commit: string | null;
  branch: string | null;
}

/**
 * Where the checkout `dir` stands now, in one `git rev-parse --absolute-git-dir HEAD^{commit}`
 * and a read of its HEAD file; null when it is no checkout (or HEAD names no commit yet).
 * Never throws.
 */
export async function whereIs(entry: Pick<Entry, 'gitBinary' | 'sshKey'>, dir: string, opts: GitOptions & { deadline?: number }): Promise<Where | null> {
  const r = await runGit(entry, ['rev-parse', '--absolute-git-dir', '--end-of-options', 'HEAD^{commit}'], dir, quick(opts));
  // rev-parse echoes --end-of-options back.
  const [gitDir, commit] = r.lines.filter((l) => l !== '--end-of-options').slice(-2);
  if (!r.ok || !commit || !gitDir) return null;
  let ref = '';
  try {
    ref = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  } catch {
    // unreadable: the branch stays unknown
  }
  return { commit, branch: ref.startsWith('ref: refs/heads/') ? ref.slice('ref: refs/heads/'.length) : null };
}

/**
 * Whether the tracked files of `dir` are those of `commit` (`git diff-index --quiet <commit>`):
 * after a step failed part way, it tells at which commit the files now are. Null when git cannot tell.
 */
export async function filesAre(entry: Pick<Entry, 'gitBinary' | 'sshKey'>, dir: string, commit: string, opts: GitOptions & { deadline?: number }): Promise<boolean | null> {
  const r = await runGit(entry, ['--no-optional-locks', 'diff-index', '--quiet', commit, '--'], dir, quick(opts));
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  return null;
}
