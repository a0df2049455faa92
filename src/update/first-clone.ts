import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { clone } from '../git/clone.ts';
import { explainFailure } from '../git/explain-failure.ts';
import { initStore } from '../git/init-store.ts';
import { redactUrl } from '../git/redact-url.ts';
import { remoteTip } from '../git/remote-tip.ts';
import { runGit } from '../git/run-git.ts';
import { targetRef } from '../model/target.ts';
import { failure } from './failure.ts';
import { gitStep } from './move.ts';
import { lookAtReleaseSubmodules } from './release-submodules.ts';
import { submoduleSteps } from './submodule-steps.ts';
import type { Plan, UpdateContext, UpdateFailure } from './types.ts';

/**
 * The plan of a first deploy into a missing or empty repodir: a clone of clone_url, on the
 * target. With submodules, the clone writes no file at first: the remote of each submodule the
 * commit records is read (`git ls-remote`, as the release mode does) and, when one cannot be
 * read, the clone is removed again (repodir is left as it was: missing, or empty) and the
 * run fails naming the submodule and its URL; else the commit is checked out and its
 * submodules brought to it level by level. A dry run reads the same remotes, the commit's
 * `.gitmodules` fetched (depth 1) into a temporary store it removes.
 */
export async function planClone(ctx: UpdateContext, plan: Plan, repodir: string, state: 'missing' | 'empty'): Promise<Plan> {
  const { entry, target, git } = ctx;
  if (!entry.cloneUrl) {
    plan.refusal = failure(`repodir ${repodir} ${state === 'missing' ? 'does not exist' : 'is empty'} and no clone_url is set`);
    return plan;
  }
  const url = entry.cloneUrl;
  if (ctx.dry) {
    const tip = await remoteTip(entry, os.tmpdir(), url, target, git);
    if ('message' in tip) {
      plan.refusal = failure(`the remote tip of ${target.kind} ${target.name} is unknown: ${tip.message}`, tip.failed);
      return plan;
    }
    plan.tip = tip.tip;
    if (entry.submodules) plan.refusal = await lookAtTipSubmodules(ctx, url, plan);
  }
  plan.steps.push({
    name: `clone ${redactUrl(url)} into ${repodir} (${target.kind} ${target.name}${entry.submodules ? ', no files written yet' : ''})`,
    reads: redactUrl(url),
    changes: repodir,
    run: async () => {
      const r = await clone(entry, url, repodir, target, { ...git, noCheckout: entry.submodules });
      return r.ok ? null : failure(r.message, r.result);
    },
  });
  if (!entry.submodules) return plan;
  plan.steps.push({
    name: "read the remote of each submodule the commit records (git ls-remote); when one cannot be read, remove the clone again",
    reads: "the submodules' remotes",
    changes: `nothing (${repodir} is removed when a submodule cannot be read)`,
    run: async () => {
      const refusal = await lookAtReleaseSubmodules(ctx, join(repodir, '.git'), 'HEAD', url);
      if (refusal === null) return null;
      const undone = undoClone(repodir, state);
      return { ...refusal, message: `${refusal.message}; ${undone}` };
    },
  });
  plan.steps.push(gitStep(ctx, repodir, ['checkout', '--force'], {
    name: `check out ${target.kind} ${target.name}`, reads: 'the clone', changes: 'the work tree and the index', step: 'checkout',
  }));
  plan.steps.push(...submoduleSteps(ctx, repodir));
  return plan;
}

/**
 * For a dry run: the submodules of the remote's commit for the target whose remote cannot be
 * read (lookAtReleaseSubmodules), the commit fetched with depth 1 into a temporary store,
 * removed after. Returns the refusal, or null.
 */
async function lookAtTipSubmodules(ctx: UpdateContext, url: string, plan: Plan): Promise<UpdateFailure | null> {
  const { entry, target, git } = ctx;
  let store: string;
  try {
    store = mkdtempSync(join(os.tmpdir(), 'whauto-look-'));
  } catch (err) {
    return failure(`cannot make a temporary folder to read the submodules of ${target.kind} ${target.name}: ${(err as Error).message}`);
  }
  try {
    const made = await initStore(entry, store, null, { ...git, onLine: undefined });
    if (made) return failure(`cannot make a temporary store to read the submodules of ${target.kind} ${target.name}: ${made instanceof Error ? made.message : made.lines.at(-1) ?? 'git init failed'}`);
    const r = await runGit(entry, ['fetch', '--depth=1', '--no-tags', '--quiet', '--', url, targetRef(target)], store, { ...git, show: false });
    if (!r.ok) return failure(explainFailure(r, { step: 'fetch', repodir: store, remote: url, target }), r);
    plan.notes.push(`fetched the files of ${target.kind} ${target.name} (depth 1) into a temporary store to read its submodules, removed again`);
    return await lookAtReleaseSubmodules(ctx, store, 'FETCH_HEAD', url);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

/** Removes a clone that must not stay, leaving `repodir` as it was (missing, or an empty folder); says so, or why not. */
function undoClone(repodir: string, state: 'missing' | 'empty'): string {
  try {
    if (state === 'missing') rmSync(repodir, { recursive: true, force: true });
    else for (const name of readdirSync(repodir)) rmSync(join(repodir, name), { recursive: true, force: true });
    return `nothing is deployed: the clone is removed again (repodir ${repodir} is ${state === 'missing' ? 'missing' : 'empty'} as before)`;
  } catch (err) {
    return `the clone in ${repodir} could not be removed (${(err as Error).message}): remove it before the next deploy`;
  }
}
