import { head } from '../git/head.ts';
import { emptyPlan } from './in-place.ts';
import type { Strategy } from './types.ts';

/** `update: none`: no git work; the plan has no step, and previous and tip are HEAD (null when repodir is no checkout). */
export const noneStrategy: Strategy = {
  mode: 'none',
  async plan(ctx) {
    const plan = emptyPlan(ctx);
    const { entry, git } = ctx;
    plan.previous = entry.repodir ? await head(entry.repodir, { ...git, gitBinary: entry.gitBinary }) : null;
    plan.tip = plan.previous;
    return plan;
  },
};
