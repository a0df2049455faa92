import type { Entry } from '../settings/types.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/** Commits listed at most; past them, `more` says there are others. */
const LISTED = 20;

/** A commit as the run log names it. */
export interface CommitLine {
  id: string;
  subject: string;
}

/**
 * The commits reachable from `have` (refs or commits: the local branch, a detached HEAD) that
 * neither `tip` nor any of `known` (the remote-tracking ref as it was before the fetch)
 * contain: the checkout's own commits, which moving it to `tip` would drop. `git log
 * --format=%H %s --max-count=21 <have…> --not <tip> <known…>`: as cheap as those commits are
 * few. Null when git fails. Never throws.
 */
export async function localCommits(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  have: string[],
  tip: string,
  known: string[],
  opts: GitOptions & { deadline?: number },
): Promise<{ commits: CommitLine[]; more: boolean } | null> {
  const r = await runGit(entry, ['log', '--no-decorate', '--format=%H %s', `--max-count=${LISTED + 1}`, ...have, '--not', tip, ...known, '--'], dir, { ...opts, show: false });
  if (!r.ok) return null;
  const commits = r.lines.filter((l) => /^[0-9a-f]{40,64} /.test(l)).map((l) => ({ id: l.slice(0, l.indexOf(' ')), subject: l.slice(l.indexOf(' ') + 1) }));
  return { commits: commits.slice(0, LISTED), more: commits.length > LISTED };
}

/** "1a2b3c4 subject; 5d6e7f8 other" for the log, with "and more" past the listed ones. */
export function showCommits(c: { commits: CommitLine[]; more: boolean }): string {
  return c.commits.map((x) => `${x.id.slice(0, 7)} ${x.subject}`).join('; ') + (c.more ? '; and more' : '');
}

/** "1 commit", "3 commits", "more than 20 commits". */
export function countCommits(c: { commits: CommitLine[]; more: boolean }): string {
  const n = c.commits.length;
  return `${c.more ? `more than ${n}` : n} commit${n === 1 && !c.more ? '' : 's'}`;
}
