import { lstatSync, readlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { RELEASE_STORE } from '../model/names.ts';

/** Where a release entry keeps things under its repodir (the deploy root), as Capistrano does. */
export interface ReleaseLayout {
  /** The deploy root: the entry's repodir. */
  root: string;
  /** `repo/`: whauto's git store (bare) for this entry. */
  repo: string;
  /** `releases/`: one folder per deploy, `releases/<id>/`. */
  releases: string;
  /** `shared/`: the server's own files, linked into every release. */
  shared: string;
  /** `current`: a relative symlink to the live release (`releases/<id>`). */
  current: string;
}

/** The layout under the deploy root `root`. */
export function releaseLayout(root: string): ReleaseLayout {
  return { root, repo: join(root, RELEASE_STORE), releases: join(root, 'releases'), shared: join(root, 'shared'), current: join(root, 'current') };
}

/** The ref in repo/ that marks a release as built whole (its commands succeeded) and keeps its commit from git's gc. */
export const RELEASE_REFS = 'refs/whauto/releases/';

/** What a release id looks like: UTC time to the second, then the commit's first 7 hex digits (20261204T153000Z-1a2b3c4). */
const RELEASE_ID = /^\d{8}T\d{6}Z-[0-9a-f]{7}$/;

/** Whether `name` is a release id (so it is safe in a path and a ref name). */
export function isReleaseId(name: string): boolean {
  return RELEASE_ID.test(name);
}

/**
 * A new release id for `commit`: the UTC time `now` to the second and the commit's short
 * hex, or, when the newest release on disk (`newest`) has that second or a later one (two
 * deploys in one second), the second after it: ids stay unique and sort by time.
 */
export function newReleaseId(commit: string, now: Date, newest: string | null): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '');
  let ms = Math.floor(now.getTime() / 1000) * 1000;
  // 20261204T153000Z -> 2026-12-04T15:30:00Z
  const last = newest === null ? NaN : Date.parse(newest.slice(0, 16).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (ms <= last) ms = last + 1000;
  return `${stamp(ms)}-${commit.slice(0, 7)}`;
}

/**
 * What `current` is: absent, a symlink to a release (its id), or something else (a symlink
 * elsewhere, a folder, a file): then whauto does not replace it. Never throws.
 */
export function currentRelease(layout: ReleaseLayout): { live: string | null } | { odd: string } {
  let target: string;
  try {
    if (!lstatSync(layout.current).isSymbolicLink()) return { odd: `${layout.current} is not a symlink` };
    target = readlinkSync(layout.current);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { live: null };
    return { odd: `${layout.current} cannot be read: ${(err as Error).message}` };
  }
  const id = basename(target);
  if (!isReleaseId(id) || relative(layout.releases, resolve(layout.root, dirname(target))) !== '') {
    return { odd: `${layout.current} points at ${target}, not at a release in ${layout.releases}` };
  }
  return { live: id };
}
