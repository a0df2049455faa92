import type { Entry } from '../settings/types.ts';
import { targetRef, type Target } from '../model/target.ts';
import { explainFailure } from './explain-failure.ts';
import { redactUrl } from './redact-url.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * The commit `remote` (a remote's name, run in the checkout `dir`, or a URL) has for the
 * target now, by `git ls-remote` (no fetch, changes nothing); for an annotated tag, the commit
 * it points to. Else why not, with git's result when git failed. Never throws.
 */
export async function remoteTip(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'repodir'>,
  dir: string,
  remote: string,
  target: Target,
  opts: GitOptions & { deadline?: number },
): Promise<{ tip: string } | { message: string; failed: GitResult | null }> {
  const ref = targetRef(target);
  const r = await runGit(entry, ['ls-remote', '--', remote, ref, `${ref}^{}`], dir, { ...opts, show: false });
  if (!r.ok) return { message: explainFailure(r, { step: 'ls-remote', repodir: entry.repodir ?? '', remote, target }), failed: r };
  let tip: string | null = null;
  for (const line of r.lines) {
    const [sha, name] = line.split('\t');
    if (name === `${ref}^{}` && sha) return { tip: sha }; // peeled tag wins
    if (name === ref) tip = sha ?? null;
  }
  return tip ? { tip } : { message: redactUrl(`${target.kind} ${target.name} does not exist on remote ${remote}`), failed: null };
}
