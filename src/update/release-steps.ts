import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { checkoutTree } from '../git/checkout-tree.ts';
import { explainFailure } from '../git/explain-failure.ts';
import { updateRef } from '../git/refs.ts';
import type { GitOptions } from '../git/types.ts';
import { failure } from './failure.ts';
import { listReleases } from './releases.ts';
import { currentRelease, RELEASE_REFS, type ReleaseLayout } from './release-layout.ts';
import { fillSubmodules } from './release-submodules.ts';
import type { PlanStep, UpdateContext, UpdateFailure } from './types.ts';

/** A step of a release: `run` says the step's name in the run's log first (`release: <name>`), as git steps show their command. */
function releaseStep(ctx: UpdateContext, step: Required<PlanStep>): PlanStep {
  return {
    ...step,
    run: async () => {
      ctx.git.onLine?.(`release: ${step.name}`);
      return step.run();
    },
  };
}

/** A path under the deploy root as the log shows it: `releases/<id>`, `shared/.env`. */
function short(layout: ReleaseLayout, path: string): string {
  return relative(layout.root, path);
}

/**
 * Builds the release folder `dir` from repo/: the tree of `commit` (checkoutTree) and, with
 * `submodules: true`, each submodule's tree from its own store in repo/modules/ (see
 * fillSubmodules). `baseUrl`: the remote's URL, for relative submodule URLs.
 */
export function buildStep(ctx: UpdateContext, layout: ReleaseLayout, dir: string, commit: string, baseUrl: string | null): PlanStep {
  const { entry, target, git } = ctx;
  return releaseStep(ctx, {
    name: `build ${short(layout, dir)}: the files of ${commit}${entry.submodules ? ' and its submodules' : ''}, from ${short(layout, layout.repo)}/`,
    reads: `${commit} in ${short(layout, layout.repo)}/${entry.submodules ? ' (submodules: their remotes, for commits repo/modules/ lacks)' : ''}`,
    changes: `${short(layout, dir)} (new)`,
    run: async () => {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        return failure(`cannot create ${dir}: ${(err as Error).message}`);
      }
      const r = await checkoutTree(entry, layout.repo, commit, dir, git);
      if (r) return failure(explainFailure(r.failed, { step: r.step, repodir: layout.repo, remote: entry.remote, target }), r.failed);
      return entry.submodules ? fillSubmodules(ctx, layout.repo, dir, commit, baseUrl) : null;
    },
  });
}

/**
 * Links each of `shared` (relative paths, a trailing `/` for a folder) into the release `dir`:
 * `<dir>/<path>` becomes a relative symlink to `shared/<path>`, which is created empty (a
 * folder, or an empty file) when missing. Refuses a path the release already has (a
 * submodule's file) and a parent that is a file or a symlink in the release (a link there
 * could lead out of it).
 */
export function linkSharedStep(ctx: UpdateContext, layout: ReleaseLayout, dir: string, shared: string[]): PlanStep {
  const bare = (p: string) => p.replace(/\/$/, '');
  return releaseStep(ctx, {
    name: `link the shared paths into ${short(layout, dir)}: ${shared.map((p) => `${bare(p)} -> shared/${p}`).join(', ')}`,
    reads: 'shared/',
    changes: `${short(layout, dir)} (links); shared/ (a missing path is created empty)`,
    run: async () => {
      for (const path of shared) {
        const folder = path.endsWith('/');
        const target = join(layout.shared, bare(path));
        const link = join(dir, bare(path));
        try {
          if (!existsSync(target)) {
            mkdirSync(folder ? target : dirname(target), { recursive: true });
            if (!folder) writeFileSync(target, '', { flag: 'wx' });
          }
          const parts = bare(path).split('/');
          for (let i = 1; i < parts.length; i++) {
            const parent = join(dir, ...parts.slice(0, i));
            const kind = kindOf(parent);
            if (kind === 'missing') mkdirSync(parent);
            else if (kind !== 'folder') return failure(`shared path ${path}: ${short(layout, parent)} is a ${kind} in the release, so the link cannot go under it`);
          }
          if (kindOf(link) !== 'missing') return failure(`shared path ${path}: the release already has ${short(layout, link)} (from a submodule?); a shared path must be one the release does not have`);
          symlinkSync(relative(dirname(link), target), link);
        } catch (err) {
          return failure(`cannot link shared path ${path} into ${short(layout, dir)}: ${(err as Error).message}`);
        }
      }
      return null;
    },
  });
}

/** Marks the release `id` built whole: the ref `refs/whauto/releases/<id>` in repo/ names its commit (which git's gc then keeps). */
export function markBuiltStep(ctx: UpdateContext, layout: ReleaseLayout, id: string, commit: string): PlanStep {
  const { entry, git } = ctx;
  return releaseStep(ctx, {
    name: `mark releases/${id} built (ref ${RELEASE_REFS}${id} in repo/)`,
    reads: 'nothing',
    changes: `${RELEASE_REFS}${id} in repo/`,
    run: async () => {
      const r = await updateRef(entry, layout.repo, `${RELEASE_REFS}${id}`, commit, git);
      return r.ok ? null : failure(`cannot write the ref of releases/${id} in ${layout.repo}`, r);
    },
  });
}

/**
 * Switches `current` to `releases/<id>` atomically: a new relative symlink beside it
 * (`.current.new`), renamed over `current` (rename(2) replaces it in one step: a reader sees
 * the old release or the new one, never neither), then the deploy root is fsync'd so the
 * switch outlives a power cut.
 */
export function switchStep(ctx: UpdateContext, layout: ReleaseLayout, id: string): PlanStep {
  return releaseStep(ctx, {
    name: `switch current to releases/${id} (a new symlink renamed over the old one)`,
    reads: 'nothing',
    changes: 'current',
    run: async () => {
      const next = join(layout.root, '.current.new');
      try {
        rmSync(next, { force: true });
        symlinkSync(join('releases', id), next);
        renameSync(next, layout.current);
      } catch (err) {
        rmSync(next, { force: true });
        return failure(`cannot switch ${layout.current} to releases/${id}: ${(err as Error).message}`);
      }
      try {
        const fd = openSync(layout.root, 'r');
        try { fsyncSync(fd); } finally { closeSync(fd); }
      } catch {
        // some filesystems refuse fsync on a folder; the rename is still atomic
      }
      return null;
    },
  });
}

/**
 * Removes the release folder `dir` and its ref, unless it is live (a guard: nothing takes the
 * live release away). `why` ends the step's name.
 */
export function removeReleaseStep(ctx: UpdateContext, layout: ReleaseLayout, id: string, why: string): PlanStep {
  return releaseStep(ctx, {
    name: `remove releases/${id} (${why})`,
    reads: 'current',
    changes: `releases/${id}`,
    run: async () => removeRelease(ctx, layout, id),
  });
}

/** ms the git of a release's removal may take: it runs after the run's timeout or abort too. */
const CLEANUP_TIMEOUT_MS = 30_000;

/**
 * The run's git options without its abort signal and deadline, bounded by CLEANUP_TIMEOUT_MS
 * instead: for what must be done after the run was interrupted or timed out (removing the
 * release that did not go live, saying where things stand), which the run's own would kill.
 */
export function cleanupGit(ctx: UpdateContext): GitOptions {
  const { signal: _signal, deadline: _deadline, ...git } = ctx.git;
  return { ...git, timeoutMs: CLEANUP_TIMEOUT_MS };
}

/**
 * Removes releases/<id> and its ref, unless `current` points at it. Which release is live is
 * read from the link, not from git, and the ref is removed with cleanupGit: an undo runs after
 * the run's abort or timeout too. A failure says what stays.
 */
async function removeRelease(ctx: UpdateContext, layout: ReleaseLayout, id: string): Promise<UpdateFailure | null> {
  const dir = join(layout.releases, id);
  const current = currentRelease(layout);
  if ('odd' in current) return failure(`${current.odd}: ${dir} is left`);
  if (current.live === id) return null;
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    return failure(`cannot remove ${dir}: ${(err as Error).message}`);
  }
  if (!existsSync(layout.repo)) return null;
  const r = await updateRef(ctx.entry, layout.repo, `${RELEASE_REFS}${id}`, null, cleanupGit(ctx));
  return r.ok ? null : failure(`removed ${dir}, but cannot remove its ref ${RELEASE_REFS}${id} in ${layout.repo}`, r);
}

/**
 * After a switch to `id`: removes the releases built whole past the newest `keep`, never the
 * live one, the one before it (what a rollback switches to) nor `left` (the release live
 * before the switch); and the refs of release folders removed by hand. A release it cannot
 * remove is said in the log and left: the deploy itself went.
 */
export function pruneStep(ctx: UpdateContext, layout: ReleaseLayout, id: string, left: string | null): PlanStep {
  const { entry, git } = ctx;
  const keep = entry.keepReleases;
  return releaseStep(ctx, {
    name: `remove the releases past the newest ${keep} (never the live one, the one before it, or the one live until now)`,
    reads: 'releases/',
    changes: 'releases/ (old ones removed)',
    run: async () => {
      const found = await listReleases(entry, layout, git);
      if (!('releases' in found)) return null;
      const built = found.releases.filter((r) => r.complete);
      const before = built.find((r) => r.id < id);
      const kept = new Set([...built.slice(0, keep).map((r) => r.id), id, ...(before ? [before.id] : []), ...(left ? [left] : [])]);
      for (const old of built.filter((r) => !kept.has(r.id))) {
        git.onLine?.(`removing releases/${old.id}`);
        const f = await removeRelease(ctx, layout, old.id);
        if (f) git.onLine?.(`note: ${f.message}; it stays`);
      }
      for (const stray of found.strayRefs) await updateRef(entry, layout.repo, `${RELEASE_REFS}${stray}`, null, git);
      return null;
    },
  });
}

function kindOf(path: string): 'missing' | 'folder' | 'symlink' | 'file' {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}
