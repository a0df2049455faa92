import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { explainFailure } from '../git/explain-failure.ts';
import { gitLocks } from '../git/git-locks.ts';
import { activeHooks } from '../git/hooks.ts';
import { redactUrl } from '../git/redact-url.ts';
import { remoteUrl } from '../git/remote-url.ts';
import { repoFacts, type RepoFacts } from '../git/repo-facts.ts';
import { worktrees } from '../git/worktrees.ts';
import { targetRef } from '../model/target.ts';
import { failure } from './failure.ts';
import type { Plan, UpdateContext, UpdateFailure } from './types.ts';
import { realOf } from './where.ts';

/** What an update knows of an existing checkout before it fetches. */
export interface CheckoutLook {
  repodir: string;
  facts: RepoFacts;
  /** The local branch a branch target moves (`refs/heads/<b>`); null for a tag. */
  localRef: string | null;
  /** Where the fetch puts the target: `refs/remotes/<remote>/<b>`, or the tag itself. */
  fetchedRef: string;
  /** The commit `fetchedRef` named before the fetch (null: none yet). */
  fetchedBefore: string | null;
  /** The URL of the entry's remote in the checkout's config (null: none). */
  remoteUrl: string | null;
  /**
   * Refs git cannot keep beside a branch target's refs, as one's name is a folder of the
   * other's (`refs/heads/feat` and `refs/heads/feat/x`): local branches in the way of
   * `localRef`, and remote-tracking refs in the way of `fetchedRef`. Empty for a tag.
   */
  inTheWay: { local: string[]; fetched: string[] };
}

/** The ref a fetch of the target lands on: `refs/remotes/<remote>/<b>`, or the tag itself. */
export function fetchedRef(remote: string, target: UpdateContext['target']): string {
  return target.kind === 'tag' ? targetRef(target) : `refs/remotes/${remote}/${target.name}`;
}

/**
 * Looks at the existing checkout `repodir` before anything changes (a few file looks and three
 * small git processes at once), and refuses, with nothing changed, what would stop the update part
 * way or move something it must not: a folder that is not the top of a git work tree (or that
 * git refuses for dubious ownership: git's own words are kept), a branch another worktree has
 * checked out (`checkout --force -B` would move it under that worktree), git lock files left in
 * the checkout. Hooks the moving step would run are said for a dry run (`plan.unknowns`), and
 * a remote whose URL is not clone_url in `plan.notes`.
 */
export async function lookAtCheckout(ctx: UpdateContext, repodir: string, plan: Plan, hooks: string[]): Promise<CheckoutLook | UpdateFailure> {
  const { entry, target, git } = ctx;
  const localRef = target.kind === 'branch' ? targetRef(target) : null;
  const fetched = fetchedRef(entry.remote, target);
  // The folders of a branch's name, as refs: where a ref in the way of it would be.
  const folders = target.kind === 'branch' ? target.name.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/')) : [];
  const [found, url] = await Promise.all([
    repoFacts(entry, repodir, [...(localRef ? [localRef] : []), fetched, ...folders.flatMap((f) => [`refs/heads/${f}`, `refs/remotes/${entry.remote}/${f}`])], git),
    remoteUrl(entry, repodir, git),
  ]);
  if ('failed' in found) {
    return failure(explainFailure(found.failed, { step: 'rev-parse', repodir, remote: entry.remote, target }), found.failed);
  }
  const facts = found;
  if (relative(facts.top, realOf(repodir)) !== '') {
    return failure(`repodir ${repodir} is inside the git repository ${facts.top}, not its top folder`);
  }
  if (localRef !== null && (facts.gitDir !== facts.commonDir || existsSync(join(facts.commonDir, 'worktrees')))) {
    const list = await worktrees(entry, repodir, git);
    const other = list?.find((w) => w.branch === localRef && relative(realOf(w.path), facts.top) !== '');
    if (other) {
      return failure(`branch ${target.name} is checked out in the worktree ${other.path} too; updating ${repodir} would move that branch under it ` +
        `(its index and files would stay behind). Check out another branch there, or point repodir at that worktree, and deploy again`);
    }
  }
  const locks = gitLocks(facts.gitDir, facts.commonDir, [...(localRef ? [localRef] : []), fetched]);
  if (locks.length > 0) {
    return failure(`git lock file${locks.length === 1 ? '' : 's'} in the checkout: ${locks.join(', ')}: a git command runs there, or one was killed ` +
      'and left it; git would stop part way. Remove it once no git runs there, and deploy again');
  }
  for (const hook of activeHooks(facts.hooksDir, hooks)) {
    plan.unknowns.push(`git runs the checkout's ${hook} hook (${join(facts.hooksDir, hook)}); a dry run does not run it`);
  }
  if (url && entry.cloneUrl !== null && url !== entry.cloneUrl.trim()) {
    plan.notes.push(redactUrl(`remote ${entry.remote} of ${repodir} is ${url}, not clone_url ${entry.cloneUrl.trim()}: the checkout's own remote is used`));
  }
  const inTheWay = (ref: string | null) => (ref === null || target.kind === 'tag' ? [] : [...facts.refs.keys()].filter((r) => ref.startsWith(`${r}/`) || r.startsWith(`${ref}/`)));
  return {
    repodir, facts, localRef, fetchedRef: fetched, fetchedBefore: facts.refs.get(fetched) ?? null, remoteUrl: url,
    inTheWay: { local: inTheWay(localRef), fetched: inTheWay(fetched) },
  };
}
