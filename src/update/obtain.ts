import { explainFailure } from '../git/explain-failure.ts';
import { ensureCommit } from '../git/fetch-commit.ts';
import { fetchTarget } from '../git/fetch-target.ts';
import { head } from '../git/head.ts';
import { redactUrl } from '../git/redact-url.ts';
import { remoteTip } from '../git/remote-tip.ts';
import { targetRef } from '../model/target.ts';
import { failure } from './failure.ts';
import type { CheckoutLook } from './look.ts';
import type { Plan, UpdateContext, UpdateFailure } from './types.ts';

/**
 * Brings the commit to deploy into the checkout's object store and returns it: the one place
 * a run and a dry run differ. A run fetches (`fetchTarget`: it changes only the remote-tracking
 * ref, and the looks that follow need the commit), and the step goes into the plan as done. A
 * dry run asks the remote for its tip (`git ls-remote`) and fetches that commit's objects
 * only (no ref, no FETCH_HEAD: git's gc prunes them unless a run fetches them); the fetch
 * goes into the plan as a step to do.
 */
export async function obtainTip(ctx: UpdateContext, look: CheckoutLook, plan: Plan): Promise<string | UpdateFailure> {
  const { entry, target, git } = ctx;
  const { repodir } = look;
  const ref = targetRef(target);
  const fetch = () => fetchTarget(entry, repodir, target, look.fetchedRef, git);
  const step = {
    name: `fetch ${ref} from ${entry.remote}`,
    reads: redactUrl(`remote ${entry.remote}${look.remoteUrl ? ` (${look.remoteUrl})` : ''}`),
    changes: `${look.fetchedRef} in ${repodir}`,
  };
  const gone = (r: Parameters<typeof explainFailure>[0]) => failure(explainFailure(r, { step: 'fetch', repodir, remote: entry.remote, target }), r);
  if (!ctx.dry) {
    plan.steps.push(step);
    const r = await fetch();
    if (!r.ok) return gone(r);
    const tip = await head(repodir, { ...git, gitBinary: entry.gitBinary, rev: look.fetchedRef });
    return tip ?? failure(`git fetch brought no commit for ${ref} into ${look.fetchedRef}`);
  }
  plan.steps.push({ ...step, run: async () => { const r = await fetch(); return r.ok ? null : gone(r); } });
  const tip = await remoteTip(entry, repodir, entry.remote, target, git);
  if ('message' in tip) return failure(`the remote tip of ${target.kind} ${target.name} is unknown: ${tip.message}`, tip.failed);
  // Servers need not serve an unadvertised commit: fetched by its ref name.
  const have = await ensureCommit(entry, repodir, tip.tip, entry.remote, ref, git);
  if ('failed' in have) {
    return have.failed ? gone(have.failed) : failure(`${target.kind} ${target.name} on ${entry.remote} no longer points at ${tip.tip}`);
  }
  if (have.fetched) plan.notes.push(`fetched the objects of ${tip.tip} to look at the update (no ref or FETCH_HEAD written)`);
  return tip.tip;
}
