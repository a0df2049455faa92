import { runGit } from '../git/run-git.ts';
import { countCommits, showCommits } from '../git/local-commits.ts';
import { showPaths } from '../git/show-paths.ts';
import { explainFailure } from '../git/explain-failure.ts';
import { failure } from './failure.ts';
import { inCheckout, planInPlace, type InPlaceMode } from './in-place.ts';
import { gitStep } from './move.ts';
import { clearCommand, whyInTheWay } from './other-branches.ts';
import type { PlanStep, Strategy } from './types.ts';

/**
 * `update: ff-only`: the checkout moves to the tip only when that loses nothing. It refuses,
 * changing nothing, local changes to tracked files (also in the folders of submodules the
 * commit drops), commits only the checkout has (also on another branch HEAD is on, which the
 * update would take out of the live tree), a local branch in the way of the target's (`feat`
 * before `feat/x`: it deletes no branch), and a local branch that is not an ancestor of the
 * tip (ahead of it, or diverged). Then: a tag is checked out detached; a branch not there yet is created
 * at the tip; else HEAD goes to the branch and `git merge --ff-only <tip>` moves it.
 *
 * A rollback moves the branch back, which is no fast-forward: what ff-only keeps is that
 * nothing of the server's own is lost. So a rollback refuses local changes and commits only
 * the checkout has, as a deploy does, but not a branch ahead of the older commit (the commits
 * it steps back over are the remote's, which still has them); `git checkout -B <b> <commit>`
 * (without --force) moves it, and the next push fast-forwards from there again.
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
    const refuse = (message: string) => ({ refusal: failure(message), notes: [] });
    const b = at.others.inTheWay[0];
    if (b) {
      return refuse(`branch ${b.branch} in ${repodir} is ${whyInTheWay(ctx)}${b.commits.commits.length > 0 ? `, and has ${countCommits(b.commits)} never fetched from ${entry.remote}: ${showCommits(b.commits)}` : ''}; ` +
        `update ff-only deletes no branch. To ${clearCommand(repodir, b)}, and deploy again`);
    }
    const left = at.others.left;
    if (left && left.commits.commits.length > 0) {
      const onTarget = target.kind === 'branch' && at.look.facts.refs.has(at.look.localRef!) ? target.name : `--detach ${at.tip}`;
      return refuse(`${repodir} is on branch ${left.branch}, which has ${countCommits(left.commits)} not in ${target.kind} ${target.name} and never fetched from ${entry.remote}: ` +
        `${showCommits(left.commits)}; update ff-only refuses (deploying ${target.name} would take them out of the live tree). Push them, ` +
        `or, if they may leave the live tree, move HEAD off branch ${left.branch} (git -C ${repodir} checkout ${onTarget}), and deploy again`);
    }
    const local = at.look.localRef;
    if (local !== null && at.look.facts.refs.has(local) && ctx.to === null) {
      // "<only in the tip> <only in the branch>": behind, ahead.
      const r = await runGit(entry, ['rev-list', '--left-right', '--count', `${at.tip}...${local}`, '--'], repodir, { ...git, show: false });
      if (!r.ok) return { refusal: failure(explainFailure(r, { step: 'rev-list', repodir, remote: entry.remote, target }), r), notes: [] };
      const [behind = 0, ahead = 0] = (r.lines.at(-1) ?? '').split(/\s+/).map(Number);
      const upstream = `${entry.remote}/${target.name}`;
      const n = (k: number) => `${k} commit${k === 1 ? '' : 's'}`;
      if (ahead > 0 && behind === 0) return refuse(`branch ${target.name} in ${repodir} is ahead of ${upstream} by ${n(ahead)}; update ff-only refuses`);
      if (ahead > 0) return refuse(`branch ${target.name} in ${repodir} has diverged from ${upstream}; update ff-only refuses`);
    }
    if (at.commits.commits.length > 0 && ctx.to !== null) {
      return refuse(`${repodir} has commits only it has, which going back to ${at.tip} would drop: ${showCommits(at.commits)}; update ff-only refuses the rollback`);
    }
    if (at.commits.commits.length > 0) {
      return refuse(`${repodir} has commits of its own on a detached HEAD that the tip does not have; update ff-only refuses`);
    }
    return { refusal: null, notes: [] };
  },
  move(ctx, at) {
    const { target } = ctx;
    const { repodir, localRef, facts } = at.look;
    const step = (args: string[], name: string, changes: string, gitStepName: string): PlanStep =>
      gitStep(ctx, repodir, args, { name, reads: at.tip, changes, step: gitStepName });
    if (target.kind === 'tag') return [step(['checkout', '--detach', at.tip, '--'], `check out tag ${target.name} at ${at.tip} (detached)`, 'the work tree, the index and HEAD', 'checkout')];
    if (ctx.to !== null) {
      return [step(['checkout', '-B', target.name, at.tip, '--'], `move branch ${target.name} back to ${at.tip} (a rollback) and check it out`, `branch ${target.name}, the work tree and the index`, 'checkout')];
    }
    if (localRef === null || !facts.refs.has(localRef)) {
      return [step(['checkout', '-b', target.name, at.tip, '--'], `create branch ${target.name} at ${at.tip} and check it out`, `branch ${target.name}, the work tree and the index`, 'checkout')];
    }
    const steps: PlanStep[] = [];
    if (facts.headRef !== localRef) steps.push(step(['checkout', target.name, '--'], `check out branch ${target.name}`, 'the work tree, the index and HEAD', 'checkout'));
    steps.push(step(['merge', '--ff-only', at.tip], `fast-forward branch ${target.name} to ${at.tip}`, `branch ${target.name}, the work tree and the index`, 'merge --ff-only'));
    return steps;
  },
};

export const ffOnlyStrategy: Strategy = { mode: 'ff-only', rollback: 'deploy', plan: (ctx) => planInPlace(ctx, ffOnly), ...inCheckout };
