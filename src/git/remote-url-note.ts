import type { Entry } from '../settings/types.ts';
import { redactUrl } from './redact-url.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * One line when the checkout's own remote (`entry.remote`) has another URL than the entry's
 * clone_url: "remote origin of <repodir> is <url>, not clone_url <url>: the checkout's own
 * remote is used" (credentials hidden). Null when they are the same text after trimming,
 * when there is no clone_url, or the remote has no URL. The update fetches from that remote
 * and never rewrites it; without the line, a moved repository whose clone_url was edited
 * goes on deploying the old one unsaid. Never throws.
 */
export async function remoteUrlNote(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote' | 'cloneUrl'>,
  repodir: string,
  opts: GitOptions & { deadline?: number },
): Promise<string | null> {
  if (entry.cloneUrl === null) return null;
  // The URL as written in the checkout's config (remote get-url would apply insteadOf).
  const r = await runGit(entry, ['config', '--get', `remote.${entry.remote}.url`], repodir, { ...opts, show: false });
  const url = r.ok ? r.lines[r.lines.length - 1]?.trim() : undefined;
  if (!url || url === entry.cloneUrl.trim()) return null;
  return redactUrl(`remote ${entry.remote} of ${repodir} is ${url}, not clone_url ${entry.cloneUrl.trim()}: the checkout's own remote is used`);
}
