import type { Entry } from '../settings/types.ts';

/** Quotes `s` for the POSIX shell git runs GIT_SSH_COMMAND with. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The environment git runs with: `base` plus GIT_TERMINAL_PROMPT=0 (never wait for a
 * password), LC_ALL=C (messages we can recognise) and, when the entry has `sshKey`,
 * GIT_SSH_COMMAND=`ssh -i '<key>' -o IdentitiesOnly=yes -o BatchMode=yes`.
 */
export function gitEnv(entry: Pick<Entry, 'sshKey'>, base: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...base, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANGUAGE: '' };
  if (entry.sshKey) {
    env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(entry.sshKey)} -o IdentitiesOnly=yes -o BatchMode=yes`;
  }
  return env;
}

/** process.env without undefined values. */
export function processEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * `env` (default: process.env) as `git submodule` runs its fetches and clones: with
 * GIT_PROTOCOL_FROM_USER=0, so protocol.<name>.allow=user (git's default for the file
 * transport) refuses, as it does there (git-config(1), protocol.allow).
 */
export function submoduleEnv(env: Record<string, string> | undefined): Record<string, string> {
  return { ...(env ?? processEnv()), GIT_PROTOCOL_FROM_USER: '0' };
}
