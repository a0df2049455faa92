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
  /** The commit each of the asked-for refs, and each ref under one (`<ref>/…`), names now (absent: no such ref). */
  refs: Map<string, string>;
}

/**
 * Looks at the checkout `dir` in two git processes run at once, reading only: `git rev-parse
 * --show-toplevel --absolute-git-dir --git-common-dir --git-path hooks HEAD^{commit}` (again
 * without HEAD when it names no commit yet) and `git for-each-ref` of `refs` (full names; the
 * refs under each come with it, as git matches such a pattern); the ref HEAD is on comes from its HEAD file. Returns the facts, or the failed git result (not a
 * repository, dubious ownership…). Never throws.
 */
export async function repoFacts(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  refs: string[],
  opts: GitOptions & { deadline?: number },
): Promise<RepoFacts | { failed: GitResult }> {
  const git = (args: string[]) => runGit(entry, args, dir, { ...opts, show: false });
  const where = ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks'];
  // %(*objectname): the commit an annotated tag points at.
  const [withHead, listed] = await Promise.all([
    git([...where, '--end-of-options', 'HEAD^{commit}']),
    refs.length > 0 ? git(['for-each-ref', '--format=%(objectname) %(*objectname) %(refname)', '--', ...refs]) : null,
  ]);
  const r = withHead.ok ? withHead : await git(where);
  if (!r.ok) return { failed: r };
  // rev-parse echoes --end-of-options back.
  const lines = r.lines.filter((l) => l !== '--end-of-options').slice(withHead.ok ? -5 : -4);
  const [top, gitDir, common, hooks] = lines;
  const head = withHead.ok && COMMIT.test(lines[4] ?? '') ? lines[4]! : null;
  if (hooks === undefined) return { failed: r };
  const found = new Map<string, string>();
  for (const line of listed?.ok ? listed.lines : []) {
    const [id, peeled, name] = line.split(' ');
    if (name && refs.some((r) => name === r || name.startsWith(`${r}/`))) found.set(name, peeled && COMMIT.test(peeled) ? peeled : id!);
  }
  let headText = '';
  try {
    headText = readFileSync(join(gitDir!, 'HEAD'), 'utf8').trim();
  } catch {
    // unreadable: the branch stays unknown
  }
  let realTop = top!;
  try {
    realTop = realpathSync(top!);
  } catch {
    // as git said it
  }
  return {
    top: realTop, gitDir: gitDir!, commonDir: isAbsolute(common!) ? common! : resolve(dir, common!),
    hooksDir: isAbsolute(hooks) ? hooks : resolve(dir, hooks), head,
    headRef: headText.startsWith('ref: ') ? headText.slice(5) : null, refs: found,
  };
}
