import { isAbsolute, join, relative } from 'node:path';
import type { Entry } from '../settings/types.ts';

/**
 * The entry's workdir moved from repodir into `dir` (a release folder, or `current`): the same
 * path under it. A workdir outside repodir, or an entry without repodir or `dir`, keeps its own.
 */
export function workdirIn(entry: Pick<Entry, 'repodir' | 'workdir'>, dir: string | null): string {
  if (entry.repodir === null || dir === null) return entry.workdir;
  const rel = relative(entry.repodir, entry.workdir);
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) return entry.workdir;
  return rel === '' ? dir : join(dir, rel);
}
