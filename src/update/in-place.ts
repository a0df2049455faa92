import { existsSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { changedPaths, type ChangedPath } from '../git/changed-paths.ts';
import { gitPaths } from '../git/git-paths.ts';
import { localChanges, type LocalChange } from '../git/local-changes.ts';
import { localCommits, type CommitLine } from '../git/local-commits.ts';
import { pathKind, pathKinds } from '../git/path-kind.ts';
import { quotePath, showPaths } from '../git/show-paths.ts';
import { untrackedInTheWay } from '../git/untracked-in-the-way.ts';
import { refNameProblem } from '../model/ref-name.ts';
import { targetRef } from '../model/target.ts';
import { failure } from './failure.ts';
import { lookAtCheckout, type CheckoutLook } from './look.ts';
import { planClone } from './first-clone.ts';
import { obtainTip } from './obtain.ts';
import { otherBranches, type OtherBranch } from './other-branches.ts';
import { submoduleSteps } from './submodule-steps.ts';
import { lookAtSubmodules, removeLeftoversStep } from './submodules.ts';
import type { Plan, PlanStep, UpdateContext, UpdateFailure } from './types.ts';
import { whereFromFiles, whereIs } from './where.ts';
import { head } from '../git/head.ts';
import type { Entry } from '../settings/types.ts';
import type { GitOptions } from '../git/types.ts';

/** What an in-place update knows once it has the commit to deploy. */
interface InPlaceLook {
  look: CheckoutLook;
  tip: string;
  /** Tracked paths with local changes (work tree or index). */
  changes: LocalChange[];
  /** Commits only the checkout has, which moving the branch (or a detached HEAD) to the tip would drop. */
  commits: { commits: CommitLine[]; more: boolean };
  /** Tracked files changed in the folders of submodules the update removes. */
  changedInLeftovers: string[];
  /** Local branches in the way of the target's, and the one HEAD leaves (see otherBranches). */
  others: { inTheWay: OtherBranch[]; left: OtherBranch | null };
}

/** How reset and ff-only differ: what each refuses or notes, the hooks its move runs, and how it moves the checkout. */
export interface InPlaceMode {
  mode: 'reset' | 'ff-only';
  /** Hooks git runs while this mode moves the checkout. */
  hooks: string[];
  /** Why this mode refuses the update (null: it goes), and what it says before it (what it discards). */
  judge(ctx: UpdateContext, at: InPlaceLook): Promise<{ refusal: UpdateFailure | null; notes: string[] }>;
  /** The steps that move the checkout to the tip. */
  move(ctx: UpdateContext, at: InPlaceLook): PlanStep[];
}

/** What the modes that update the checkout itself share: the checkout is what is deployed. */
export const inCheckout = {
  liveDir: (entry: Entry): string | null => entry.repodir,
  deployed: async (entry: Entry, git: GitOptions): Promise<string | null> =>
    (entry.repodir ? head(entry.repodir, { ...git, gitBinary: entry.gitBinary, sshKey: entry.sshKey }) : null),
};

/** A plan with nothing in it yet, whose `where` reads the entry's checkout. */
export function emptyPlan(ctx: UpdateContext): Plan {
  const { entry, git } = ctx;
  return {
    mode: entry.update, previous: null, tip: null, refusal: null, notes: [], unknowns: [], steps: [], after: [], undo: [],
    where: async () => (entry.repodir ? whereIs(entry, entry.repodir, git) : null),
  };
}

/**
 * The plan of an update in place (`reset`, `ff-only`): the checkout in `repodir` is brought to
 * the target's remote tip. A missing or empty repodir is cloned (`clone_url`). Otherwise, in
 * order, each refusal found stops the plan with nothing changed: a bad ref name, a repodir that
 * is not a checkout's top or that git refuses, another worktree's branch, git lock files (see
 * lookAtCheckout); the fetch (a dry run: ls-remote and an objects-only fetch), which first drops
 * remote-tracking refs in the way of the target's of branches the remote no longer has; the mode's own
 * refusals (`judge`: also of local branches in the way of the target's, and of the branch HEAD leaves); files of the server's own the new commit would overwrite, in the
 * checkout (also in folders that replaced tracked files) and in its submodules; submodule folders the new commit drops that hold files of
 * the server's own. The looks cost what the change costs: the new paths come from `git
 * diff-tree` of HEAD and the tip, submodules from `.gitmodules`.
 */
export async function planInPlace(ctx: UpdateContext, how: InPlaceMode): Promise<Plan> {
  const { entry, target, git } = ctx;
  const plan = emptyPlan(ctx);
  const refuse = (f: UpdateFailure): Plan => {
    plan.refusal ??= f;
    return plan;
  };
  const repodir = entry.repodir;
  if (!repodir) return refuse(failure('no repodir is set'));
  const bad = refNameProblem(targetRef(target));
  if (bad) return refuse(failure(`invalid ${target.kind} name ${JSON.stringify(target.name)}: ${bad}`));
  const state = dirState(repodir);
  if (state === 'file') return refuse(failure(`repodir ${repodir} is not a directory`));
  if (state !== 'full') return planClone(ctx, plan, repodir, state);

  const look = await lookAtCheckout(ctx, repodir, plan, how.hooks);
  if ('message' in look) return refuse(look);
  plan.where = () => whereFromFiles(entry, repodir, look.facts.gitDir, look.facts.commonDir, git);
  plan.previous = look.facts.head;
  // The fetch waits on the remote, git status on the disk: they go at once.
  const [tip, changes] = await Promise.all([obtainTip(ctx, { ...look, gitDir: look.facts.gitDir, inTheWay: look.inTheWay.fetched.map((ref) => ({ ref, commit: look.facts.refs.get(ref)! })) }, plan), localChanges(entry, repodir, { ...git, readOnly: ctx.dry })]);
  if (typeof tip !== 'string') return refuse(tip);
  plan.tip = tip;
  if (typeof changes === 'string') return refuse(failure(changes));

  const diff = look.facts.head === null ? null : await changedPaths(entry, repodir, look.facts.head, tip, git);
  if (look.facts.head !== null && diff === null) return refuse(failure(`cannot list the paths that differ between ${look.facts.head} and ${tip}`));
  const [commits, others] = await Promise.all([ownCommits(ctx, look, tip), otherBranches(ctx, look, tip)]);
  if (commits === null || others === null) return refuse(failure(`cannot list the commits of ${repodir} that ${tip} does not have`));
  // Submodules cost a look only where HEAD or the tip has a .gitmodules.
  const gitmodules = existsSync(join(repodir, '.gitmodules')) || diff === null || [...diff, ...changes].some((c) => c.path === '.gitmodules');
  const submodules = entry.submodules && gitmodules
    ? await lookAtSubmodules(ctx, repodir, look.facts.head, tip, look.remoteUrl)
    : { any: false, leftovers: [], changedInLeftovers: [], refusal: null, unknowns: [] };
  plan.unknowns.push(...submodules.unknowns);
  const at: InPlaceLook = { look, tip, changes, commits, changedInLeftovers: submodules.changedInLeftovers, others };
  const judged = await how.judge(ctx, at);
  // What the move would discard is said only when it goes ahead: a refused update discards nothing.
  if (judged.refusal) return refuse(judged.refusal);
  const links = linkedFolders(repodir, changes);
  if (links.length > 0) {
    return refuse(failure(`update ${how.mode} refuses: the server put a symlink where the checkout has the folder ${showPaths(links)} ` +
      `(${links.map((l) => `${quotePath(l)} -> ${quotePath(linkTarget(repodir, l))}`).join(', ')}); the update would put the folder back and cut the link, ` +
      'taking what it points to out of the live tree. To keep the link, take the folder out of the repository (git rm -r --cached, and .gitignore it); ' +
      'else remove the link; and deploy again'));
  }

  const added = await addedPaths(ctx, look, tip, changes, diff);
  if (added === null) return refuse(failure(`cannot list the paths ${tip} adds to ${repodir}`));
  // The folders of submodules the new commit drops go before the move: they hold nothing of the
  // server's own, git would only warn that it cannot remove them, and the new commit may put files there.
  const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
  const putBack = [...added, ...replacedByFolders(repodir, changes, diff)];
  const inTheWay = await untrackedInTheWay(entry, repodir, putBack.filter((p) => !submodules.leftovers.some((f) => under(p, f))), git);
  if (inTheWay === null) return refuse(failure(`cannot look for files of the server's own in ${repodir}`));
  if (inTheWay.length > 0) {
    return refuse(failure(`update ${how.mode} refuses: the new commit puts files where ${repodir} has ${showPaths(inTheWay)}, ` +
      'which git does not track there; the update would overwrite or delete them. Move them away, or delete them if the repository\'s copy should win, and deploy again'));
  }
  if (submodules.refusal) return refuse(submodules.refusal);

  plan.notes.push(...judged.notes);
  if (submodules.leftovers.length > 0) plan.steps.push(removeLeftoversStep(repodir, submodules.leftovers));
  plan.steps.push(...how.move(ctx, at));
  if (submodules.any) plan.steps.push(...submoduleSteps(ctx, repodir));
  return plan;
}

/**
 * The paths the tip tracks that no commit of the checkout did: what `git diff-tree` says the
 * tip adds to HEAD (files staged as new included: never committed, they are the server's
 * own), plus the files staged as deleted that the tip still has. A checkout without a commit yet: every path of the tip.
 */
async function addedPaths(ctx: UpdateContext, look: CheckoutLook, tip: string, changes: LocalChange[], diff: ChangedPath[] | null): Promise<string[] | null> {
  const { entry, git } = ctx;
  if (diff === null) return gitPaths(entry, ['ls-tree', '-r', '-z', '--name-only', tip], look.repodir, git);
  // A file staged as new counts as the server's own: it was never committed, and the move would overwrite it.
  const gone = new Set(diff.filter((c) => c.status === 'D').map((c) => c.path));
  const added = diff.filter((c) => c.status === 'A' || (c.status === 'T' && c.oldMode === '160000')).map((c) => c.path);
  for (const c of changes) if (c.index === 'D' && !gone.has(c.path)) added.push(c.path);
  return added;
}

/**
 * Tracked paths the server replaced by a folder (git status: deleted in the work tree, and a
 * folder there, not a symlink to one) that the tip still has: moving the checkout puts the file
 * back and deletes the folder with what it holds. Git leaves the folder when the tip deletes the
 * path; a symlink in place of a file is a change to a tracked path, which reset discards (git
 * removes only the link).
 */
function replacedByFolders(repodir: string, changes: LocalChange[], diff: ChangedPath[] | null): string[] {
  const gone = new Set((diff ?? []).filter((c) => c.status === 'D').map((c) => c.path));
  return changes.filter((c) => c.tree === 'D' && !gone.has(c.path) && pathKind(join(repodir, c.path)) === 'dir').map((c) => c.path);
}

/**
 * Folders of the checkout the server replaced by a symlink (to shared storage, say): the
 * nearest parent of a tracked file that git status calls deleted which is a symlink on disk.
 * A move puts the folder back in the link's place. Sorted; each once.
 */
function linkedFolders(repodir: string, changes: LocalChange[]): string[] {
  const kindAt = pathKinds(repodir);
  const found = new Set<string>();
  for (const c of changes) {
    if (c.tree !== 'D') continue;
    const parts = c.path.split('/');
    const folders = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
    const link = folders.find((f) => kindAt(f) === 'link');
    if (link) found.add(link);
  }
  return [...found].sort();
}

/** Where symlink `path` (in repodir) points, as written; '?' when it cannot be read. */
function linkTarget(repodir: string, path: string): string {
  try {
    return readlinkSync(join(repodir, path));
  } catch {
    return '?';
  }
}

/**
 * The commits only the checkout has, which moving it to the tip drops: those of the local
 * branch (for a branch) and of a detached HEAD that neither the tip nor the remote-tracking ref
 * (before the fetch) contain. No git runs when the local branch is where the remote was or is.
 */
async function ownCommits(ctx: UpdateContext, look: CheckoutLook, tip: string): Promise<{ commits: CommitLine[]; more: boolean } | null> {
  const { facts, localRef, fetchedBefore } = look;
  const branch = localRef ? facts.refs.get(localRef) : undefined;
  const have = [
    ...(branch !== undefined && branch !== tip && branch !== fetchedBefore ? [branch] : []),
    ...(facts.headRef === null && facts.head && facts.head !== tip && facts.head !== fetchedBefore ? [facts.head] : []),
  ];
  if (have.length === 0) return { commits: [], more: false };
  return localCommits(ctx.entry, look.repodir, have, tip, fetchedBefore ? [fetchedBefore] : [], ctx.git);
}

/** What is at `dir`: nothing, an empty folder (a clone goes there), a folder with files, or a file. */
export function dirState(dir: string): 'missing' | 'empty' | 'full' | 'file' {
  try {
    if (!statSync(dir).isDirectory()) return 'file';
    return readdirSync(dir).length === 0 ? 'empty' : 'full';
  } catch {
    return 'missing';
  }
}
