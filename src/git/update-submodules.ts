import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { explainFailure } from './explain-failure.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Brings submodules to the commits the checkout names: `git submodule sync --recursive`,
 * then `git submodule update --init --recursive --force`. Skipped when there is no
 * .gitmodules. Returns null on success, else a message.
 */
export async function updateSubmodules(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  repodir: string,
  target: Target,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  if (!existsSync(path.join(repodir, '.gitmodules'))) return null;
  for (const args of [
    ['submodule', 'sync', '--recursive'],
    ['submodule', 'update', '--init', '--recursive', '--force'],
  ]) {
    const r = await runGit(entry, args, repodir, { ...opts, show: true });
    if (!r.ok) return explainFailure(r, { step: args.slice(0, 2).join(' '), repodir, remote: entry.remote, target });
  }
  return null;
}
