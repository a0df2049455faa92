import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { explainFailure } from './explain-failure.ts';
import { runGit, type GitResult } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * Clones `url` into `repodir` (missing or empty), on the target:
 * `git clone --branch=<name> --origin=<remote> [--no-checkout] -- <url> <repodir>`; with
 * `noCheckout`, HEAD names the target but no file is written (the index is empty).
 * All branches are fetched (no --single-branch), so the checkout is an ordinary clone that
 * later fetches by explicit refspec anyway. Shown in the log. Never throws: `message` says
 * why it failed, with git's result when git ran.
 */
export async function clone(
  entry: Pick<Entry, 'gitBinary' | 'sshKey' | 'remote'>,
  url: string,
  repodir: string,
  target: Target,
  opts: GitOptions & { deadline?: number; noCheckout?: boolean },
): Promise<{ ok: true } | { ok: false; message: string; result: GitResult | null }> {
  const parent = path.dirname(repodir);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (err) {
    return { ok: false, message: `cannot create ${parent}: ${(err as Error).message}`, result: null };
  }
  const args = ['clone', `--branch=${target.name}`, `--origin=${entry.remote}`];
  if (opts.noCheckout) args.push('--no-checkout');
  args.push('--', url, repodir);
  const r = await runGit(entry, args, parent, { ...opts, show: true });
  return r.ok ? { ok: true } : { ok: false, message: explainFailure(r, { step: 'clone', repodir, remote: url, target }), result: r };
}
