import type { GitOptions } from '../git/types.ts';
import { REPODIR_HOLDS } from '../model/names.ts';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { showPaths } from '../git/show-paths.ts';
import { failure } from './failure.ts';
import { STRATEGIES } from './strategies.ts';
import type { Plan, PlanStep, RollbackTo, UpdateFailure } from './types.ts';
import { filesAre, type Where } from './where.ts';

/** Default ms for the whole update when no timeout is given. */
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * Makes the plan of updating `entry`'s checkout to `target` with the entry's strategy
 * (STRATEGIES). `dry`: reads only (a dry run); else the plan's fetch is made (it changes only
 * the remote-tracking ref). `to`: a rollback, deploying that instead of the remote tip. `timeoutMs` bounds the planning and, through the plan's steps,
 * their git processes too (default 10 min). Never throws: a bug of ours becomes the refusal.
 */
export async function planUpdate(entry: Entry, target: Target, opts: GitOptions & { dry: boolean; to?: RollbackTo | null }): Promise<Plan> {
  const { dry, to = null, ...git } = opts;
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const strategy = STRATEGIES[entry.update];
  try {
    return await strategy.plan({ entry, target, dry, to, git: { ...git, deadline } });
  } catch (err) {
    return {
      mode: entry.update, previous: null, tip: null, notes: [], unknowns: [], steps: [], after: [], undo: [],
      refusal: failure(`internal error while planning the update: ${(err as Error)?.message ?? String(err)}`),
      where: async () => null,
    };
  }
}

/**
 * Carries out `steps` (of `plan`) in order, skipping those done while planning. Stops at the
 * first that fails and returns its failure, its message saying where the checkout is now
 * (see whereNow); null when all succeeded.
 */
export async function applySteps(plan: Plan, steps: PlanStep[], entry: Entry): Promise<UpdateFailure | null> {
  for (const step of steps) {
    if (!step.run) continue;
    const f = await step.run();
    if (f) return { ...f, message: `${f.message}; ${await whereNow(plan, entry, f.submodulesOff ?? [])}` };
  }
  return null;
}

/**
 * Whether the checkout ended where the plan meant (`at`, read after the steps): HEAD at the
 * plan's tip (when known) and, for a branch, on that branch (detached for a tag); for
 * releases, the release built (or switched to) holds the tip. Null when it did; a failure
 * saying where it is when it did not, so that no record claims what is not on disk.
 */
export async function checkOutcome(plan: Plan, target: Target, at: Where | null): Promise<UpdateFailure | null> {
  if (plan.mode === 'none') return null;
  if (at === null) return failure('after the update the checkout has no commit');
  if (plan.tip !== null && at.commit !== plan.tip) return failure(`after the update HEAD is at ${at.commit}, not at the tip ${plan.tip}`);
  // A release folder is a plain tree: no HEAD, no branch to be on.
  if (REPODIR_HOLDS[plan.mode] !== 'checkout') return null;
  const branch = target.kind === 'branch' ? target.name : null;
  if (at.branch !== branch) {
    return failure(`after the update HEAD is ${at.branch ? `on branch ${at.branch}` : 'detached'}, not ${branch ? `on branch ${branch}` : 'detached at the tag'}`);
  }
  return null;
}

/**
 * Where the checkout stands after a step failed, in words: at the tip (the files are the new
 * commit's: a hook failed after the checkout; but for the submodules `off` names, which are not
 * at the commits it records), the files of the tip while HEAD still names the old commit (a ref
 * could not be written), still at the old commit, or elsewhere.
 */
async function whereNow(plan: Plan, entry: Entry, off: string[]): Promise<string> {
  if (plan.whereNow) return plan.whereNow();
  const at = await plan.where();
  if (at === null) return 'there is no checkout with a commit';
  const head = `HEAD ${at.branch ? `on branch ${at.branch}` : 'detached'}`;
  if (plan.tip !== null && at.commit === plan.tip) {
    const but = off.length === 0 ? '' : `, but submodule${off.length === 1 ? '' : 's'} ${showPaths(off)} ${off.length === 1 ? 'is' : 'are'} not at the commit${off.length === 1 ? '' : 's'} it records`;
    return `the checkout is at ${at.commit} now (${head}): the files are those of the new commit${but}`;
  }
  if (at.commit === plan.previous && plan.tip !== null && entry.repodir) {
    const moved = await filesAre(entry, entry.repodir, plan.tip, {});
    if (moved) return `the files are those of ${plan.tip}, but HEAD still names ${at.commit} (${head})`;
    return `the checkout is still at ${at.commit} (${head})`;
  }
  return `the checkout is at ${at.commit} (${head})`;
}
