import { existsSync } from 'node:fs';
import { runCommand } from '../exec/run-command.ts';
import type { Entry } from '../settings/types.ts';

/** ms a look into the checkout may take. */
const LOOK_MS = 5000;

/**
 * The first line `git <args>` prints in the entry's checkout (its git_binary), or null on any
 * problem (no checkout, git refuses, no output). A quiet read: nothing is logged, nothing
 * changes. Never throws.
 */
async function gitLine(entry: Pick<Entry, 'repodir' | 'gitBinary'>, args: string[]): Promise<string | null> {
  if (entry.repodir === null || !existsSync(entry.repodir)) return null;
  let first: string | null = null;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  const r = await runCommand({ run: [entry.gitBinary, ...args], timeout: null }, {
    cwd: entry.repodir, env, timeoutMs: LOOK_MS, onLine: (line) => { first ??= line; },
  });
  return r.exitCode === 0 && first !== '' ? first : null;
}

/** The first line of `commit`'s message in the entry's checkout, or null when it is not there. */
export function commitSubject(entry: Pick<Entry, 'repodir' | 'gitBinary'>, commit: string): Promise<string | null> {
  return gitLine(entry, ['log', '-1', '--format=%s', commit, '--']);
}

/** The URL of the entry's remote in its checkout (it may hold credentials: never shown), or null. */
export function remoteUrl(entry: Pick<Entry, 'repodir' | 'gitBinary' | 'remote'>): Promise<string | null> {
  return gitLine(entry, ['remote', 'get-url', '--', entry.remote]);
}
