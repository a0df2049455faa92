import { realpathSync } from 'node:fs';
import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { explainFailure } from './explain-failure.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Null when `repodir` is the top of a git work tree, else a message ("repodir X is not a git
 * repository", dubious ownership, or "repodir X is inside the git repository Y": updating
 * an enclosing repository would be a surprise).
 */
export async function checkRepo(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  const r = await runGit(entry, ['rev-parse', '--show-toplevel'], repodir, { ...opts, show: false });
  if (!r.ok) return explainFailure(r, { step: 'rev-parse', repodir, remote: entry.remote, target });
  const top = r.lines[r.lines.length - 1] ?? '';
  let real = repodir;
  try {
    real = realpathSync(repodir);
  } catch {
    // rev-parse worked, so it exists; keep the path as given
  }
  if (top !== real) return `repodir ${repodir} is inside the git repository ${top}, not its top folder`;
  return null;
}
