import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainFailure } from '../git/explain-failure.ts';
import { ensureCommit } from '../git/fetch-commit.ts';
import { fetchTarget } from '../git/fetch-target.ts';
import { head } from '../git/head.ts';
import { redactUrl } from '../git/redact-url.ts';
import { remoteBranches } from '../git/remote-branches.ts';
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
 * goes into the plan as a step to do. A rollback (`ctx.to`) fetches as a run does (so the
 * remote-tracking ref stays the remote's), and returns its older commit instead of the tip,
 * fetched by id when the store no longer has it (a dry run: objects only).
 */
export async function obtainTip(
  ctx: UpdateContext,
  look: Pick<CheckoutLook, 'repodir' | 'fetchedRef' | 'remoteUrl'> & { gitDir: string; inTheWay?: { ref: string; commit: string }[] },
  plan: Plan,
): Promise<string | UpdateFailure> {
  const { entry, target, git } = ctx;
  const { repodir } = look;
  const ref = targetRef(target);
  const gone = (r: Parameters<typeof explainFailure>[0]) => failure(explainFailure(r, { step: 'fetch', repodir, remote: entry.remote, target }), r);
  const drop = look.inTheWay ?? [];
  const dropping = drop.length === 0 ? null : await staleRefs(ctx, repodir, look.fetchedRef, drop);
  if (dropping !== null && typeof dropping !== 'string') return dropping;
  const fetch = () => fetchTarget(entry, repodir, target, look.fetchedRef, git, drop);
  const step = {
    name: `fetch ${ref} from ${entry.remote}${dropping ? `, first dropping ${dropping}` : ''}`,
    reads: redactUrl(`remote ${entry.remote}${look.remoteUrl ? ` (${look.remoteUrl})` : ''}`),
    changes: `${[look.fetchedRef, ...drop.map((d) => d.ref)].join(' and ')} in ${repodir}`,
  };
  if (!ctx.dry) {
    plan.steps.push(step);
    const r = await fetch();
    if (!r.ok) return gone(r);
    if (ctx.to) return olderCommit(ctx, repodir, ctx.to.commit);
    // The one ref fetched is FETCH_HEAD's line (a branch's commit; a tag's object needs git to peel it).
    const fetchHead = target.kind === 'branch' ? /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\t/.exec(readFetchHead(look.gitDir))?.[1] : undefined;
    const tip = fetchHead ?? await head(repodir, { ...git, gitBinary: entry.gitBinary, rev: look.fetchedRef });
    return tip ?? failure(`git fetch brought no commit for ${ref} into ${look.fetchedRef}`);
  }
  plan.steps.push({ ...step, run: async () => { const r = await fetch(); return r.ok ? null : gone(r); } });
  if (ctx.to) return olderCommit(ctx, repodir, ctx.to.commit);
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

/**
 * Whether the remote-tracking refs `drop` in the way of `into` (`refs/remotes/<remote>/feat`
 * before `…/feat/x`) may go: they may when the remote has the target and none of their
 * branches (one `git ls-remote`), as `fetch --prune` drops a ref of a branch the remote no
 * longer has. Returns the refs in words for the fetch step, or why not (nothing changed).
 */
async function staleRefs(ctx: UpdateContext, repodir: string, into: string, drop: { ref: string }[]): Promise<string | UpdateFailure> {
  const { entry, target, git } = ctx;
  const prefix = `refs/remotes/${entry.remote}/`;
  const branches = drop.map((d) => `refs/heads/${d.ref.slice(prefix.length)}`);
  const has = await remoteBranches(entry, repodir, entry.remote, [targetRef(target), ...branches], git);
  if ('failed' in has) return failure(explainFailure(has.failed, { step: 'ls-remote', repodir, remote: entry.remote, target }), has.failed);
  if (!has.has(targetRef(target))) return failure(redactUrl(`${target.kind} ${target.name} does not exist on remote ${entry.remote} (deleted?)`));
  const kept = branches.filter((b) => has.has(b));
  if (kept.length > 0) {
    return failure(`the remote-tracking ref ${prefix}${kept[0]!.slice('refs/heads/'.length)} of ${repodir} is in the way of ${into} (git cannot keep both: ` +
      `one's name is a folder of the other's), and ${entry.remote} still has that branch; update ${entry.update} refuses. Look at the branches on ${entry.remote}, then ` +
      `git -C ${repodir} remote prune ${entry.remote}`);
  }
  const names = drop.map((d) => d.ref).join(', ');
  return `${names} (${entry.remote} has no such branch now, and git cannot keep ${drop.length === 1 ? 'it' : 'them'} beside ${into})`;
}

/** The FETCH_HEAD file git wrote in `gitDir` ('' when it cannot be read). */
function readFetchHead(gitDir: string): string {
  try {
    return readFileSync(join(gitDir, 'FETCH_HEAD'), 'utf8');
  } catch {
    return '';
  }
}

/** The older commit a rollback deploys, fetched by id (objects only) when `dir` lacks it. */
async function olderCommit(ctx: UpdateContext, dir: string, commit: string): Promise<string | UpdateFailure> {
  const { entry, target, git } = ctx;
  const have = await ensureCommit(entry, dir, commit, entry.remote, commit, git);
  if ('fetched' in have) return commit;
  const why = have.failed ? explainFailure(have.failed, { step: 'fetch', repodir: dir, remote: entry.remote, target }) : `${entry.remote} does not have it`;
  return failure(`commit ${commit} to go back to is not in ${dir} and cannot be fetched: ${why}`, have.failed);
}
