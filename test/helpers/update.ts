// An update as a run makes it, without the rest of the run: plan, apply, check the outcome.
import type { GitOptions } from '../../src/git/types.ts';
import type { Target } from '../../src/model/target.ts';
import type { Entry } from '../../src/settings/types.ts';
import { applySteps, checkOutcome, planUpdate } from '../../src/update/apply.ts';

export interface UpdateResult {
  ok: boolean;
  previous: string | null;
  /** HEAD after the update, whether it went or not. */
  commit: string | null;
  message: string | null;
  /** git's own words, when it failed. */
  gitLines?: string[];
}

/** Plans and applies the update of `entry`'s checkout to `target`, as executeRun's git step does. */
export async function updateCheckout(entry: Entry, target: Target, opts: GitOptions = {}): Promise<UpdateResult> {
  const plan = await planUpdate(entry, target, { ...opts, dry: false });
  for (const note of plan.notes) opts.onLine?.(`note: ${note}`);
  let f = plan.refusal ?? await applySteps(plan, plan.steps, entry);
  const at = await plan.where();
  f ??= await checkOutcome(plan, target, at);
  return { ok: f === null, previous: plan.previous, commit: at?.commit ?? null, message: f?.message ?? null, ...(f ? { gitLines: f.gitLines } : {}) };
}
