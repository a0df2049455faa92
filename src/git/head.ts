import { existsSync } from 'node:fs';
import type { Entry } from '../settings/types.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The commit `rev` (default HEAD) names in `repodir`, as full hex, or null when repodir is
 * missing, is not a repository or has no such commit. Never throws.
 */
export async function head(
  repodir: string,
  opts: GitOptions & { gitBinary?: string; sshKey?: string | null; rev?: string } = {},
): Promise<string | null> {
  if (!existsSync(repodir)) return null;
  const entry: Pick<Entry, 'gitBinary' | 'sshKey'> = { gitBinary: opts.gitBinary ?? 'git', sshKey: opts.sshKey ?? null };
  const r = await runGit(entry, ['rev-parse', '--verify', '--quiet', `${opts.rev ?? 'HEAD'}^{commit}`], repodir, {
    ...opts, show: false,
  });
  const last = r.lines[r.lines.length - 1];
  return r.ok && last !== undefined && COMMIT.test(last) ? last : null;
}
