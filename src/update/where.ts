import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { runGit } from '../git/run-git.ts';
import type { GitOptions } from '../git/types.ts';
import type { Entry } from '../settings/types.ts';

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

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
 * Where the checkout `dir` stands now, in one `git rev-parse --show-toplevel
 * --absolute-git-dir HEAD^{commit}` and a read of its HEAD file; null when it is no checkout
 * (also when `dir` is a folder inside another repository's work tree, whose HEAD is not its
 * own), or HEAD names no commit yet. Never throws.
 */
export async function whereIs(entry: Pick<Entry, 'gitBinary' | 'sshKey'>, dir: string, opts: GitOptions & { deadline?: number }): Promise<Where | null> {
  const r = await runGit(entry, ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--end-of-options', 'HEAD^{commit}'], dir, quick(opts));
  // rev-parse echoes --end-of-options back.
  const [top, gitDir, commit] = r.lines.filter((l) => l !== '--end-of-options').slice(-3);
  if (!r.ok || !commit || !gitDir || !top || top !== realOf(dir)) return null;
  let ref = '';
  try {
    ref = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  } catch {
    // unreadable: the branch stays unknown
  }
  return { commit, branch: ref.startsWith('ref: refs/heads/') ? ref.slice('ref: refs/heads/'.length) : null };
}

/**
 * Where the checkout stands, read from its files when they tell it plainly (gitrepository-layout:
 * `HEAD` in `gitDir` holds `ref: refs/heads/<b>` or a commit, and a loose ref in `commonDir`
 * holds its commit), else by whereIs: no git process in the common case of a checkout just
 * updated (git writes the ref it moved as a loose file).
 */
export async function whereFromFiles(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>, dir: string, gitDir: string, commonDir: string, opts: GitOptions & { deadline?: number },
): Promise<Where | null> {
  try {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (COMMIT.test(head)) return { commit: head, branch: null };
    if (head.startsWith('ref: refs/heads/')) {
      const commit = readFileSync(join(commonDir, head.slice(5)), 'utf8').trim();
      if (COMMIT.test(commit)) return { commit, branch: head.slice('ref: refs/heads/'.length) };
    }
  } catch {
    // a packed ref, another ref store: git says
  }
  return whereIs(entry, dir, opts);
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

/** The real path of `path` (symlinks resolved), or `path` when it cannot be had. */
export function realOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
