import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { head } from '../git/head.ts';
import { listRefs } from '../git/refs.ts';
import type { GitOptions } from '../git/types.ts';
import { REPODIR_HOLDS } from '../model/names.ts';
import type { Entry } from '../settings/types.ts';
import { failure } from './failure.ts';
import { currentRelease, isReleaseId, RELEASE_REFS, releaseLayout, type ReleaseLayout } from './release-layout.ts';
import type { UpdateFailure } from './types.ts';

/** A release folder on disk. */
export interface Release {
  /** e.g. 20261204T153000Z-1a2b3c4 */
  id: string;
  dir: string;
  /** The commit whose tree it holds: from its ref, or for the live one without a ref, its id's short commit resolved; else null. */
  commit: string | null;
  /** That commit's subject line; null when the commit is unknown. */
  subject: string | null;
  /** Built whole: its commands succeeded and it went live (its ref in repo/ says so). Else being built now, or left half-built by a run that was cut off. */
  complete: boolean;
  live: boolean;
}

/** The releases of a deploy root, newest first, and what else the store says. */
export interface ReleaseList {
  releases: Release[];
  /** The live release's id (what `current` points at); null: nothing is live yet. */
  live: string | null;
  /** Release refs in repo/ whose folder is gone (removed by hand): pruning removes them too. */
  strayRefs: string[];
}

/**
 * The release folders under `layout.releases` (names that are release ids), newest first (ids
 * sort by time), each with its commit, subject and whether it was built whole, read from the
 * release refs in repo/ in one `git for-each-ref`; and which one `current` points at. A
 * failure when `current` is no symlink to a release, or repo/ exists and git cannot read it.
 * Never throws.
 */
export async function listReleases(entry: Pick<Entry, 'gitBinary' | 'sshKey'>, layout: ReleaseLayout, git: GitOptions & { deadline?: number }): Promise<ReleaseList | UpdateFailure> {
  const current = currentRelease(layout);
  if ('odd' in current) return failure(`${current.odd}; update: release switches only a symlink to one of its releases: move it away and deploy again`);
  let names: string[] = [];
  try {
    names = readdirSync(layout.releases).filter((n) => isReleaseId(n) && isFolder(join(layout.releases, n)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return failure(`cannot list ${layout.releases}: ${(err as Error).message}`);
  }
  const refs = isFolder(layout.repo) ? await listRefs(entry, layout.repo, RELEASE_REFS, git) : [];
  if (refs === null) return failure(`cannot read the release refs in ${layout.repo}`);
  const byId = new Map(refs.map((r) => [r.name, r]));
  const releases: Release[] = names.sort().reverse().map((id) => {
    const ref = byId.get(id);
    return { id, dir: join(layout.releases, id), commit: ref?.commit ?? null, subject: ref?.subject ?? null, complete: ref !== undefined, live: id === current.live };
  });
  // A live release without a ref (a layout made by hand): its commit from its id, when repo/ knows it.
  const live = releases.find((r) => r.live && r.commit === null);
  if (live && isFolder(layout.repo)) live.commit = await head(layout.repo, { ...git, gitBinary: entry.gitBinary, rev: live.id.slice(-7) });
  const onDisk = new Set(names);
  return { releases, live: current.live, strayRefs: refs.map((r) => r.name).filter((n) => !onDisk.has(n)) };
}

/** The releases of `entry` (see listReleases), or null when its update mode keeps none. Never throws. */
export async function entryReleases(entry: Entry, git: GitOptions & { deadline?: number } = {}): Promise<ReleaseList | UpdateFailure | null> {
  if (entry.repodir === null || REPODIR_HOLDS[entry.update] !== 'releases') return null;
  return listReleases(entry, releaseLayout(entry.repodir), git);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
