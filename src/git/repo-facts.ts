import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Entry } from '../settings/types.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** What one look at a checkout tells: where its git files are, and what its refs point at. */
export interface RepoFacts {
  /** The work tree's top folder (real path). */
  top: string;
  /** The git dir of this work tree (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
  gitDir: string;
  /** The git dir shared by all worktrees (refs, objects, config). */
  commonDir: string;
  /** Where git looks for hooks (core.hooksPath honoured). */
  hooksDir: string;
  /** The commit HEAD names (null: no commit yet). */
  head: string | null;
  /** The ref HEAD is on (`refs/heads/main`), null when detached. */
  headRef: string | null;
  /** The commit each of the asked-for refs names now (absent: no such ref). */
  refs: Map<string, string>;
}

/**
 * Looks at the checkout `dir` in two git processes, reading only: `git rev-parse
 * --show-toplevel --absolute-git-dir --git-common-dir --git-path hooks`, then `git for-each-ref`
 * of `refs` (full names) and of the ref HEAD is on (read from the HEAD file). Returns the
 * facts, or the failed git result (not a repository, dubious ownership…). Never throws.
 */
export async function repoFacts(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  refs: string[],
  opts: GitOptions & { deadline?: number },
): Promise<RepoFacts | { failed: GitResult }> {
  const git = (args: string[]) => runGit(entry, args, dir, { ...opts, show: false });
  const where = await git(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks']);
  const [top, gitDir, common, hooks] = where.lines.slice(-4);
  if (!where.ok || hooks === undefined) return { failed: where };
  const commonDir = isAbsolute(common!) ? common! : resolve(dir, common!);
  let headText = '';
  try {
    headText = readFileSync(join(gitDir!, 'HEAD'), 'utf8').trim();
  } catch {
    // unreadable: HEAD stays unknown (rev-parse would have failed first)
  }
  const headRef = headText.startsWith('ref: ') ? headText.slice(5) : null;
  const wanted = [...new Set([...refs, ...(headRef ? [headRef] : [])])];
  const found = new Map<string, string>();
  if (wanted.length > 0) {
    // %(*objectname): the commit an annotated tag points at.
    const r = await git(['for-each-ref', '--format=%(objectname) %(*objectname) %(refname)', '--', ...wanted]);
    for (const line of r.ok ? r.lines : []) {
      const [id, peeled, name] = line.split(' ');
      if (name && wanted.includes(name)) found.set(name, peeled && COMMIT.test(peeled) ? peeled : id!);
    }
  }
  const head = headRef ? found.get(headRef) ?? null : COMMIT.test(headText) ? headText : null;
  let realTop = top!;
  try {
    realTop = realpathSync(top!);
  } catch {
    // as git said it
  }
  return { top: realTop, gitDir: gitDir!, commonDir, hooksDir: isAbsolute(hooks) ? hooks : resolve(dir, hooks), head, headRef, refs: found };
}
