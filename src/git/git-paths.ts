import { spawn } from 'node:child_process';
import type { Entry } from '../settings/types.ts';
import { gitEnv, processEnv } from './git-env.ts';
import type { GitOptions } from './types.ts';

/**
 * The NUL-separated paths a read-only git query prints with `-z` (`git diff --name-only -z`,
 * `git ls-files -z`), byte for byte: runGit's line reading would lose a '\n' that is part of
 * a name, and then the file would not be found on disk. stderr is dropped. Null when git
 * fails, cannot start, or outlives opts.deadline (it is killed then). Never throws.
 */
export function gitPaths(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  args: string[],
  cwd: string,
  opts: GitOptions & { deadline?: number },
): Promise<string[] | null> {
  return new Promise((resolve) => {
    const timeout = opts.deadline !== undefined ? Math.max(1, opts.deadline - Date.now()) : opts.timeoutMs ?? 600_000;
    let child;
    try {
      child = spawn(entry.gitBinary, args, {
        cwd, env: gitEnv(entry, opts.env ?? processEnv()), stdio: ['ignore', 'pipe', 'ignore'], timeout, killSignal: 'SIGKILL',
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      if (code !== 0) return resolve(null);
      resolve(Buffer.concat(chunks).toString('utf8').split('\0').filter((p) => p !== ''));
    });
  });
}
