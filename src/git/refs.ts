import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/** A ref with the commit it names and that commit's subject line. */
interface RefLine {
  /** The part of the ref's name after `prefix`. */
  name: string;
  commit: string;
  subject: string;
}

/**
 * The refs under `prefix` (e.g. `refs/whauto/releases/`) in the repository `dir`, in one
 * `git for-each-ref`, with each one's commit and subject. Null when git fails. Never throws.
 */
export async function listRefs(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  prefix: string,
  opts: GitOptions & { deadline?: number },
): Promise<RefLine[] | null> {
  const items = await gitPaths(entry, ['for-each-ref', '--format=%(refname) %(objectname) %(subject)%00', prefix], dir, opts);
  if (items === null) return null;
  const out: RefLine[] = [];
  for (const item of items) {
    // "<ref> <commit> <subject>", the newline git puts after the previous NUL first.
    const [ref = '', commit = '', ...subject] = item.replace(/^\n/, '').split(' ');
    if (ref.startsWith(prefix) && commit) out.push({ name: ref.slice(prefix.length), commit, subject: subject.join(' ') });
  }
  return out;
}

/** `git update-ref <ref> <commit>` (or, with commit null, `git update-ref -d <ref>`) in `dir`, quietly. Never throws. */
export function updateRef(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  ref: string,
  commit: string | null,
  opts: GitOptions & { deadline?: number },
): Promise<GitResult> {
  const args = commit === null ? ['update-ref', '-d', ref] : ['update-ref', ref, commit];
  return runGit(entry, args, dir, { ...opts, show: false });
}
