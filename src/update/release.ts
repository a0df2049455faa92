import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { gitPaths } from '../git/git-paths.ts';
import { initStore } from '../git/init-store.ts';
import { redactUrl } from '../git/redact-url.ts';
import { remoteTip } from '../git/remote-tip.ts';
import { remoteUrl } from '../git/remote-url.ts';
import { showPaths } from '../git/show-paths.ts';
import { refNameProblem } from '../model/ref-name.ts';
import { targetRef } from '../model/target.ts';
import { failure } from './failure.ts';
import { dirState } from './in-place.ts';
import { fetchedRef } from './look.ts';
import { obtainTip } from './obtain.ts';
import { lookAtReleaseSubmodules } from './release-submodules.ts';
import { buildStep, cleanupGit, linkSharedStep, markBuiltStep, pruneStep, removeReleaseStep, switchStep } from './release-steps.ts';
import { newReleaseId, releaseLayout, type ReleaseLayout } from './release-layout.ts';
import { listReleases, type ReleaseList } from './releases.ts';
import type { Plan, Strategy, UpdateContext, UpdateFailure } from './types.ts';
import { workdirIn } from './workdir.ts';

/**
 * `update: release`: repodir is a deploy root in the layout Capistrano users know (see
 * ReleaseLayout): a deploy fetches into repo/, builds a new folder releases/<id>/ holding
 * exactly the commit's tree (with its submodules), links the `shared` paths into it, runs
 * the commands there, and only when they all succeed switches `current` to it atomically,
 * then removes old releases. A failing command leaves `current` as it was and the new folder
 * is removed (the plan's `undo`). The live site is never half-deployed.
 *
 * How a release folder is made: read-tree and checkout-index from repo/ into a plain folder
 * (checkoutTree), not `git worktree add` or `clone --shared`, which leave a `.git` in the
 * release (commands could move its HEAD; removing one needs git's bookkeeping), nor `git
 * archive`, which leaves out submodules and applies export-ignore. Writing the files is
 * all it costs, as a checkout's would be; submodules come from stores in repo/modules/ kept
 * across releases, so each release fetches only what changed (git worktree fetches a
 * worktree's submodules afresh); and a release is deleted with rm -r.
 *
 * A run creates repo/ (a bare store with the remote's URL: clone_url) the first time, and
 * fetches while planning, as in-place modes do; a folder under releases/ that was never
 * built whole (a run cut off while building it) is removed first. A rollback (`ctx.to`)
 * switches `current` back to a release still on disk: no git, no build.
 */
async function planRelease(ctx: UpdateContext): Promise<Plan> {
  const { entry, target, git } = ctx;
  const plan: Plan = {
    mode: 'release', previous: null, tip: null, refusal: null, notes: [], unknowns: [], steps: [], after: [], undo: [],
    where: async () => null,
  };
  const refuse = (f: UpdateFailure): Plan => {
    plan.refusal ??= f;
    return plan;
  };
  if (!entry.repodir) return refuse(failure('no repodir is set'));
  const bad = refNameProblem(targetRef(target));
  if (bad) return refuse(failure(`invalid ${target.kind} name ${JSON.stringify(target.name)}: ${bad}`));
  const layout = releaseLayout(entry.repodir);
  if (dirState(layout.root) === 'file') return refuse(failure(`repodir ${layout.root} is not a directory`));
  if (existsSync(join(layout.root, '.git'))) {
    return refuse(failure(`repodir ${layout.root} is a git checkout; update: release keeps repo/, releases/, shared/ and current there instead: ` +
      'move the checkout away (docs/releases.md gives the steps) and deploy again'));
  }
  // A run finds this out only at the switch, after the build: a dry run says it now.
  if (ctx.dry) {
    const unwritable = cannotWrite(layout.root);
    if (unwritable) return refuse(failure(unwritable));
  }
  const found = await listReleases(entry, layout, git);
  if ('message' in found) return refuse(found);
  const live = found.releases.find((r) => r.live) ?? null;
  plan.previous = live?.commit ?? null;
  plan.where = async () => whereRelease(ctx, layout, plan);
  // Read after a failure too, which may be the run's abort or timeout: not with the run's own git options.
  plan.whereNow = async () => {
    const now = await listReleases(entry, layout, cleanupGit(ctx));
    const at = 'releases' in now ? now.releases.find((r) => r.live) : undefined;
    return at ? `current still points at releases/${at.id} (${at.commit ?? 'commit unknown'})` : 'no release is live yet';
  };
  if (ctx.to) return planSwitchBack(ctx, plan, layout, found);

  // The git store: made on the first deploy, from clone_url.
  const store = existsSync(layout.repo);
  let url: string | null;
  let tip: string | UpdateFailure;
  if (!store) {
    if (!entry.cloneUrl) return refuse(failure(`${layout.repo} does not exist and no clone_url is set`));
    url = entry.cloneUrl.trim();
    const make = {
      name: redactUrl(`create the git store ${layout.repo} (git init --bare; remote ${entry.remote}: ${url})`),
      reads: 'nothing',
      changes: layout.repo,
      run: async () => {
        const made = await initStore(entry, layout.repo, { name: entry.remote, url: url! }, git);
        return made === null ? null : failure(`cannot create ${layout.repo}: ${made instanceof Error ? made.message : made.lines.at(-1) ?? 'git failed'}`, made instanceof Error ? null : made);
      },
    };
    if (ctx.dry) {
      plan.steps.push(make);
      const remote = await remoteTip(entry, os.tmpdir(), url, target, git);
      tip = 'tip' in remote ? remote.tip : failure(`the remote tip of ${target.kind} ${target.name} is unknown: ${remote.message}`, remote.failed);
      plan.steps.push({ name: `fetch ${targetRef(target)} from ${entry.remote}`, reads: redactUrl(url), changes: `${fetchedRef(entry.remote, target)} in ${layout.repo}` });
      if (entry.shared.length > 0) plan.notes.push('a dry run of the first deploy has no store to look for the shared paths in the commit; the run refuses one the commit tracks');
    } else {
      const made = await make.run();
      plan.steps.push({ ...make, run: undefined });
      if (made) return refuse(made);
      tip = await obtainTip(ctx, { repodir: layout.repo, gitDir: layout.repo, fetchedRef: fetchedRef(entry.remote, target), remoteUrl: url }, plan);
    }
  } else {
    url = await remoteUrl(entry, layout.repo, git);
    if (url && entry.cloneUrl !== null && url !== entry.cloneUrl.trim()) {
      plan.notes.push(redactUrl(`remote ${entry.remote} of ${layout.repo} is ${url}, not clone_url ${entry.cloneUrl.trim()}: the store's own remote is used`));
    }
    tip = await obtainTip(ctx, { repodir: layout.repo, gitDir: layout.repo, fetchedRef: fetchedRef(entry.remote, target), remoteUrl: url }, plan);
  }
  if (typeof tip !== 'string') return refuse(tip);
  plan.tip = tip;

  for (const r of found.releases.filter((x) => !x.complete && !x.live)) {
    plan.steps.push(removeReleaseStep(ctx, layout, r.id, 'never built whole: a run was cut off while building it'));
  }
  // A dry run's first deploy has no store to look in yet (said in plan.unknowns).
  if (existsSync(layout.repo) && entry.shared.length > 0) {
    const tracked = await gitPaths(entry, ['ls-tree', '-r', '-z', '--name-only', tip, '--', ...entry.shared.map((p) => p.replace(/\/$/, ''))], layout.repo, git);
    if (tracked === null) return refuse(failure(`cannot list the files of ${tip} to look for the shared paths`));
    if (tracked.length > 0) {
      return refuse(failure(`the commit ${tip} tracks ${showPaths(tracked)}, which shared names (${entry.shared.join(', ')}); ` +
        'a shared path must be one the repository does not have: remove it from the repository, or from shared'));
    }
  }
  if (existsSync(layout.repo) && entry.shared.length > 0) {
    const under = await sharedUnderNonFolder(ctx, layout.repo, tip);
    if (under) return refuse(under);
  }
  // The build fetches submodules only when it runs: a dry run asks their remotes now.
  if (ctx.dry && entry.submodules && existsSync(layout.repo)) {
    const unreadable = await lookAtReleaseSubmodules(ctx, layout.repo, tip, url);
    if (unreadable) return refuse(unreadable);
  }
  const id = newReleaseId(tip, new Date(), found.releases[0]?.id ?? null);
  const dir = join(layout.releases, id);
  inRelease(plan, entry, layout, id, dir);
  plan.steps.push(buildStep(ctx, layout, dir, tip, url));
  if (entry.shared.length > 0) plan.steps.push(linkSharedStep(ctx, layout, dir, entry.shared));
  plan.afterName = `switch current to releases/${id}`;
  plan.after.push(markBuiltStep(ctx, layout, id, tip), switchStep(ctx, layout, id), pruneStep(ctx, layout, id, found.live));
  plan.undo.push(removeReleaseStep(ctx, layout, id, 'its deploy failed'));
  return plan;
}

/**
 * Why a run could not make and rename the `current` link in the deploy root `root` (or, before
 * the first deploy, create `root` in the nearest existing folder above it), else null: access(2)
 * with W_OK, which says EACCES for a read-only folder and EPERM for an immutable one (even to root).
 */
function cannotWrite(root: string): string | null {
  let dir = root;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    const why = (err as Error).message;
    return dir === root ? `cannot make and rename the current link in ${root}: ${why}` : `cannot create ${root} in ${dir}: ${why}`;
  }
}

/** What a tree entry's mode (ls-tree) is, as a shared path's refusal says it. */
const KINDS: Record<string, string> = { '120000': 'a symlink', '160000': 'a submodule' };

/**
 * Refuses a shared path under a leading path `commit` tracks as a file, a symlink or a
 * submodule (`config` of config/db.yml): the link could not go there in the release. One
 * `git ls-tree` (not recursive) of the leading paths only, in the store `repo`.
 */
async function sharedUnderNonFolder(ctx: UpdateContext, repo: string, commit: string): Promise<UpdateFailure | null> {
  const { entry, git } = ctx;
  const leading = new Map<string, string>();
  for (const path of entry.shared) {
    const parts = path.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) leading.set(parts.slice(0, i).join('/'), path);
  }
  if (leading.size === 0) return null;
  const entries = await gitPaths(entry, ['ls-tree', '-z', commit, '--', ...leading.keys()], repo, git);
  if (entries === null) return failure(`cannot list the files of ${commit} to look for the folders of the shared paths`);
  for (const line of entries) {
    const tab = line.indexOf('\t');
    const [mode, type] = line.slice(0, tab).split(' ');
    const path = line.slice(tab + 1);
    const shared = leading.get(path);
    if (shared === undefined || type === 'tree') continue;
    return failure(`shared path ${shared}: the commit ${commit} tracks ${path} as ${KINDS[mode!] ?? 'a file'}, not a folder, so the shared path cannot go under it; ` +
      'change the shared path, or make it a folder in the repository');
  }
  return null;
}

/** A rollback: `current` goes back to the release `ctx.to` names (or the newest one on disk holding its commit). */
function planSwitchBack(ctx: UpdateContext, plan: Plan, layout: ReleaseLayout, found: ReleaseList): Plan {
  const to = ctx.to!;
  const back = to.release !== null
    ? found.releases.find((r) => r.id === to.release)
    : found.releases.find((r) => r.complete && !r.live && r.commit === to.commit);
  if (!back || !back.complete || back.commit === null) {
    plan.refusal = failure(`no release ${to.release ?? `of ${to.commit}`} built whole is on disk in ${layout.releases}`);
    return plan;
  }
  if (back.live) {
    plan.refusal = failure(`releases/${back.id} is live already`);
    return plan;
  }
  plan.tip = back.commit;
  inRelease(plan, ctx.entry, layout, back.id, back.dir);
  plan.steps.push(switchStep(ctx, layout, back.id));
  return plan;
}

/** Where the plan's commands run, and their WHAUTO_RELEASE_DIR and WHAUTO_CURRENT_DIR. */
function inRelease(plan: Plan, entry: UpdateContext['entry'], layout: ReleaseLayout, id: string, dir: string): void {
  plan.release = id;
  plan.workdir = workdirIn(entry, dir);
  plan.env = { WHAUTO_RELEASE_DIR: dir, WHAUTO_CURRENT_DIR: layout.current };
}

/**
 * Where a release entry stands for the run's record: the commit of the release the plan built
 * while its folder is there (before the switch, or after it), else the live release's. A
 * release has no branch: null.
 */
async function whereRelease(ctx: UpdateContext, layout: ReleaseLayout, plan: Plan): Promise<{ commit: string | null; branch: null } | null> {
  if (plan.release && plan.tip && !ctx.to && existsSync(join(layout.releases, plan.release))) return { commit: plan.tip, branch: null };
  const found = await listReleases(ctx.entry, layout, cleanupGit(ctx));
  if (!('releases' in found)) return null;
  const live = found.releases.find((r) => r.live);
  return live ? { commit: live.commit, branch: null } : null;
}

export const releaseStrategy: Strategy = {
  mode: 'release',
  rollback: 'switch',
  plan: planRelease,
  liveDir: (entry) => (entry.repodir ? releaseLayout(entry.repodir).current : null),
  async deployed(entry, git) {
    if (!entry.repodir) return null;
    const found = await listReleases(entry, releaseLayout(entry.repodir), git);
    return 'releases' in found ? found.releases.find((r) => r.live)?.commit ?? null : null;
  },
};
