import os from 'node:os';
import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { targetRef } from '../model/target.ts';
import { explainFailure } from './explain-failure.ts';
import { redactUrl } from './redact-url.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * The commit the remote's target points at now, by `git ls-remote` (no fetch, changes
 * nothing): in repodir against `entry.remote` when repodir is a checkout, else against
 * cloneUrl. For an annotated tag, the commit it points to. Null when it cannot be found;
 * `opts.onError` then gets one line saying why. Never throws.
 */
export async function remoteTip(
  entry: Entry,
  target: Target,
  opts: GitOptions & { onError?: (message: string) => void } = {},
): Promise<string | null> {
  const ref = targetRef(target);
  const inRepo = entry.repodir !== null && (await isRepo(entry, entry.repodir, opts));
  const remote = inRepo ? entry.remote : entry.cloneUrl;
  if (remote === null) {
    opts.onError?.(`repodir ${entry.repodir ?? '(none)'} is not a checkout and no clone_url is set`);
    return null;
  }
  const r = await runGit(entry, ['ls-remote', '--', remote, ref, `${ref}^{}`], inRepo ? entry.repodir! : os.tmpdir(), {
    ...opts, show: false,
  });
  if (!r.ok) {
    opts.onError?.(explainFailure(r, { step: 'ls-remote', repodir: entry.repodir ?? '', remote, target }));
    return null;
  }
  let tip: string | null = null;
  for (const line of r.lines) {
    const [sha, name] = line.split('\t');
    if (name === `${ref}^{}`) return sha ?? null; // peeled tag wins
    if (name === ref) tip = sha ?? null;
  }
  if (tip === null) opts.onError?.(redactUrl(`${target.kind} ${target.name} does not exist on remote ${remote}`));
  return tip;
}

async function isRepo(entry: Entry, dir: string, opts: GitOptions): Promise<boolean> {
  const r = await runGit(entry, ['rev-parse', '--git-dir'], dir, { ...opts, show: false });
  return r.ok;
}
