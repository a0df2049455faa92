import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { remoteUrl } from '../git/remote-url.ts';
import type { Entry } from '../settings/types.ts';

/** The remote a poll asks for an entry: its URL, the folder git runs in, and the key entries that share one ls-remote have in common. */
export interface Remote {
  url: string;
  /** The checkout (its own git config applies, as for a fetch), or a neutral folder. */
  cwd: string;
  /** Equal for entries one `ls-remote` serves: the same URL, git and ssh key. */
  key: string;
}

/** ms a look at a checkout's remote may take. */
const LOOK_MS = 10_000;

/**
 * The remote to poll for `entry`: the URL of its `remote` in its checkout (as a fetch would
 * use), else its clone_url (a checkout not cloned yet); else why there is none. Never throws.
 */
export async function remoteOf(entry: Pick<Entry, 'repodir' | 'remote' | 'cloneUrl' | 'gitBinary' | 'sshKey'>, signal: AbortSignal): Promise<Remote | { message: string }> {
  const checkout = entry.repodir !== null && existsSync(entry.repodir) ? entry.repodir : null;
  const own = checkout === null ? null : await remoteUrl(entry, checkout, { timeoutMs: LOOK_MS, signal });
  const url = own ?? entry.cloneUrl?.trim() ?? null;
  if (url === null || url === '') {
    const where = checkout === null ? `repodir ${entry.repodir ?? '(none)'} does not exist yet` : `the checkout ${checkout} has no remote '${entry.remote}'`;
    return { message: `${where} and no clone_url is set: there is no remote to ask` };
  }
  return { url, cwd: own !== null ? checkout! : tmpdir(), key: JSON.stringify([url, entry.gitBinary, entry.sshKey]) };
}
