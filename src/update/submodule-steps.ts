import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { explainFailure } from '../git/explain-failure.ts';
import { runGit, type GitResult } from '../git/run-git.ts';
import { showSubmodule, submoduleList } from '../git/submodule-list.ts';
import { submodulesOffRecord } from '../git/submodules-off-record.ts';
import { failure } from './failure.ts';
import type { PlanStep, UpdateContext, UpdateFailure } from './types.ts';

/** What each level runs, in the checkout and then in each submodule. The fetch inside `update` does not recurse: each level's submodules are fetched once their URLs are synced. */
const SYNC = ['submodule', 'sync'];
// --checkout: the commit the superproject records, whatever submodule.<name>.update a pushed .gitmodules sets (merge, rebase).
const UPDATE = ['-c', 'fetch.recurseSubmodules=false', 'submodule', 'update', '--init', '--force', '--checkout'];

/**
 * The step that brings the submodules of the checkout `repodir` to the commit checked out,
 * level by level: `git submodule sync`, then `git submodule update --init --force`, in the
 * checkout, then the same in each submodule checked out that has submodules of its own, and so
 * on down. So each submodule's URLs come from the `.gitmodules` of the commit it was just moved
 * to (`sync --recursive` before `update` would read the old one, and a nested submodule that
 * moved to another remote would be fetched from the old). On failure the message names the
 * submodule git stopped at, with its URL, and `submodulesOff` lists those not at their commits.
 */
export function submoduleSteps(ctx: UpdateContext, repodir: string): PlanStep[] {
  const { entry, git } = ctx;
  return [{
    name: `git ${SYNC.join(' ')}, then git ${UPDATE.slice(2).join(' ')}, in the checkout and then in each submodule, level by level`,
    reads: ".gitmodules of each level and the submodules' remotes",
    changes: "the submodules' remote URLs and checkouts",
    run: async () => {
      const f = await syncAndUpdate(ctx, repodir, '');
      if (f === null || f.timedOut || f.aborted) return f;
      const off = await submodulesOffRecord(entry, repodir, git);
      return off && off.length > 0 ? { ...f, submodulesOff: off } : f;
    },
  }];
}

/** Sync and update in `at` (a submodule's path in `repodir`; '' for the checkout), then in its submodules that have submodules. */
async function syncAndUpdate(ctx: UpdateContext, repodir: string, at: string): Promise<UpdateFailure | null> {
  const { entry, git } = ctx;
  const inAt = at === '' ? [] : ['-C', at];
  for (const args of [SYNC, UPDATE]) {
    const r = await runGit(entry, [...inAt, ...args], repodir, { ...git, show: true });
    if (!r.ok) return stoppedAt(ctx, repodir, at, args === SYNC ? 'sync' : 'update', r);
  }
  const dir = join(repodir, at);
  const list = await submoduleList(entry, dir, 'HEAD', git);
  if (list === null) return failure(`cannot read the submodules of ${at || repodir} at its HEAD (its .gitmodules)`);
  for (const s of list) {
    // Only a submodule checked out with a .gitmodules of its own has a level below.
    if (s.commit === null || !existsSync(join(dir, s.path, '.git')) || !existsSync(join(dir, s.path, '.gitmodules'))) continue;
    const f = await syncAndUpdate(ctx, repodir, at === '' ? s.path : `${at}/${s.path}`);
    if (f) return f;
  }
  return null;
}

/**
 * Why `git submodule <verb>` in `at` failed, naming the submodule git stopped at (the last
 * path git names in its lines, relative to `at`) and the URL it fetches from, so that the
 * checkout's own remote is never blamed for a submodule's.
 */
async function stoppedAt(ctx: UpdateContext, repodir: string, at: string, verb: string, r: GitResult): Promise<UpdateFailure> {
  const { entry, target, git } = ctx;
  const dir = join(repodir, at);
  const named = r.lines.map((l) => /submodule path '([^']+)'|Failed to clone '([^']+)'/.exec(l)).filter((m) => m !== null).at(-1);
  // git names a path it clones into in full.
  const path = named ? relativeTo(dir, (named[1] ?? named[2])!) : null;
  const s = path === null ? undefined : (await submoduleList(entry, dir, 'HEAD', git))?.find((x) => x.path === path);
  const url = s ? (await runGit(entry, ['config', '--get', `submodule.${s.name}.url`], dir, { ...git, show: false })).lines.at(-1)?.trim() : undefined;
  const shown = (p: string) => (at === '' ? p : `${at}/${p}`);
  const why = (remote: string) => explainFailure(r, { step: `submodule ${verb}${at === '' ? '' : ` in ${at}`}`, repodir: dir, remote, target });
  if (path === null) return failure(why(`of a submodule of ${at || repodir}`), r);
  const label = s ? showSubmodule(s, shown(s.path)) : shown(path);
  return failure(`submodule ${label}: ${why(url || s?.url || `of submodule ${label}`)}`, r);
}

/** `p` relative to `dir` when absolute. */
function relativeTo(dir: string, p: string): string {
  return isAbsolute(p) ? relative(dir, p) : p;
}
