import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../exec/run-command.ts';
import { RELEASE_STORE, REPODIR_HOLDS } from '../model/names.ts';
import type { Entry } from '../settings/types.ts';

/** ms a look into the checkout may take. */
const LOOK_MS = 5000;

/** Where the entry's git repository is: the checkout, or a release entry's git store. */
type Where = Pick<Entry, 'repodir' | 'gitBinary' | 'update'>;

/**
 * The first line `git <args>` prints in the entry's checkout or, for update: release, its git
 * store (with its git_binary), or null on any problem (no checkout, git refuses, no output).
 * A quiet read: nothing is logged, nothing changes. Never throws.
 */
async function gitLine(entry: Where, args: string[]): Promise<string | null> {
  if (entry.repodir === null) return null;
  const cwd = REPODIR_HOLDS[entry.update] === 'releases' ? join(entry.repodir, RELEASE_STORE) : entry.repodir;
  if (!existsSync(cwd)) return null;
  let first: string | null = null;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  const r = await runCommand({ run: [entry.gitBinary, ...args], timeout: null }, {
    cwd, env, timeoutMs: LOOK_MS, onLine: (line) => { first ??= line; },
  });
  return r.exitCode === 0 && first !== '' ? first : null;
}

/** The first line of `commit`'s message in the entry's checkout, or null when it is not there. */
export function commitSubject(entry: Where, commit: string): Promise<string | null> {
  return gitLine(entry, ['log', '-1', '--format=%s', commit, '--']);
}

/** The URL of the entry's remote in its checkout (it may hold credentials: never shown), or null. */
export function remoteUrl(entry: Where & Pick<Entry, 'remote'>): Promise<string | null> {
  return gitLine(entry, ['remote', 'get-url', '--', entry.remote]);
}
