import { runGit } from '../git/run-git.ts';
import { showPaths } from '../git/show-paths.ts';
import { explainFailure } from '../git/explain-failure.ts';
import { failure } from './failure.ts';
import { planInPlace, type InPlaceMode } from './in-place.ts';
import { gitStep } from './move.ts';
import type { PlanStep, Strategy } from './types.ts';

/**
 * `update: ff-only`: the checkout moves to the tip only when that loses nothing. It refuses,
 * changing nothing, local changes to tracked files (also in the folders of submodules the
 * commit drops), commits only the checkout has, and a local branch that is not an ancestor of
 * the tip (diverged). Then: a tag is checked out detached; a branch not there yet is created
 * at the tip; else HEAD goes to the branch and `git merge --ff-only <tip>` moves it.
 */
const ffOnly: InPlaceMode = {
  mode: 'ff-only',
  hooks: ['post-checkout', 'post-merge', 'reference-transaction'],
  async judge(ctx, at) {
    const { entry, target, git } = ctx;
    const { repodir } = at.look;
    const changed = [...at.changes.map((c) => c.path), ...at.changedInLeftovers];
    if (changed.length > 0) {
      return { refusal: failure(`repodir ${repodir} has local changes to ${showPaths(changed)}; update ff-only refuses to touch it`), notes: [] };
    }
    const local = at.look.localRef;
    if (local !== null && at.look.facts.refs.has(local)) {
      const r = await runGit(entry, ['merge-base', '--is-ancestor', local, at.tip], repodir, { ...git, show: false });
      if (r.exitCode === 1) {
        return { refusal: failure(`branch ${target.name} in ${repodir} has diverged from ${entry.remote}/${target.name}; update ff-only refuses`), notes: [] };
      }
      if (!r.ok) return { refusal: failure(explainFailure(r, { step: 'merge-base', repodir, remote: entry.remote, target }), r), notes: [] };
    }
    if (at.commits.commits.length > 0) {
      return { refusal: failure(`${repodir} has commits of its own on a detached HEAD that the tip does not have; update ff-only refuses`), notes: [] };
    }
    return { refusal: null, notes: [] };
  },
  move(ctx, at) {
    const { target } = ctx;
    const { repodir, localRef, facts } = at.look;
    const step = (args: string[], name: string, changes: string, gitStepName: string): PlanStep =>
      gitStep(ctx, repodir, args, { name, reads: at.tip, changes, step: gitStepName });
    if (target.kind === 'tag') return [step(['checkout', '--detach', at.tip, '--'], `check out tag ${target.name} at ${at.tip} (detached)`, 'the work tree, the index and HEAD', 'checkout')];
    if (localRef === null || !facts.refs.has(localRef)) {
      return [step(['checkout', '-b', target.name, at.tip, '--'], `create branch ${target.name} at ${at.tip} and check it out`, `branch ${target.name}, the work tree and the index`, 'checkout')];
    }
    const steps: PlanStep[] = [];
    if (facts.headRef !== localRef) steps.push(step(['checkout', target.name, '--'], `check out branch ${target.name}`, 'the work tree, the index and HEAD', 'checkout'));
    steps.push(step(['merge', '--ff-only', at.tip], `fast-forward branch ${target.name} to ${at.tip}`, `branch ${target.name}, the work tree and the index`, 'merge --ff-only'));
    return steps;
  },
};

export const ffOnlyStrategy: Strategy = { mode: 'ff-only', plan: (ctx) => planInPlace(ctx, ffOnly) };
