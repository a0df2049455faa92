import { explainFailure } from '../git/explain-failure.ts';
import { runGit } from '../git/run-git.ts';
import { failure } from './failure.ts';
import type { PlanStep, UpdateContext } from './types.ts';

/** A plan step that runs `git <args>` in `dir`, shown in the log; `step` names it in git's failure. */
export function gitStep(ctx: UpdateContext, dir: string, args: string[], what: { name: string; reads: string; changes: string; step: string }): PlanStep {
  const { entry, target, git } = ctx;
  return {
    name: what.name,
    reads: what.reads,
    changes: what.changes,
    run: async () => {
      const r = await runGit(entry, args, dir, { ...git, show: true });
      return r.ok ? null : failure(explainFailure(r, { step: what.step, repodir: dir, remote: entry.remote, target }), r);
    },
  };
}
