import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from '../settings/types.ts';
import { ensureCommit } from './fetch-commit.ts';
import { gitPaths } from './git-paths.ts';
import { head } from './head.ts';
import { untrackedInTheWay } from './untracked-in-the-way.ts';
import type { GitOptions } from './types.ts';

/** Levels of submodules in submodules looked into; deeper ones are not. */
const MAX_DEPTH = 8;

/**
 * untrackedInTheWay inside the submodules that moving the checkout to `rev` would move: for
 * each submodule `rev` records (a gitlink, `git ls-tree -r -z <rev>`) that is checked out in
 * the work tree at another commit, and then in its own submodules (to MAX_DEPTH levels), the
 * files of the server's own that `git submodule update --recursive --force` would overwrite
 * or delete there. The submodule's new commit is fetched into its object store when it is
 * missing, objects only (ensureCommit, by id from its `origin`), as a dry run must change
 * nothing; the update's own `submodule update` then finds it there. Returns a refusal message, or null. A submodule
 * whose commit cannot be had is a refusal too (what it would overwrite is unknown), but for
 * a dry run, which says it cannot check (`onUnknown`).
 */
export async function submodulesInTheWay(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  repodir: string,
  rev: string,
  how: string,
  opts: GitOptions & { deadline?: number; onUnknown?: (message: string) => void },
  depth = 0,
): Promise<string | null> {
  if (depth >= MAX_DEPTH) return null;
  const tree = await gitPaths(entry, ['ls-tree', '-r', '-z', rev], repodir, opts);
  if (tree === null) return null;
  for (const line of tree) {
    // "<mode> <type> <id>\t<path>"; a submodule is mode 160000, type commit.
    const tab = line.indexOf('\t');
    const [mode, , id] = line.slice(0, tab).split(' ');
    if (mode !== '160000' || !id) continue;
    const path = line.slice(tab + 1);
    const dir = join(repodir, path);
    // Not checked out yet: `submodule update --init` clones into it only when it is empty.
    if (!existsSync(join(dir, '.git'))) continue;
    const now = await head(dir, { ...opts, gitBinary: entry.gitBinary, sshKey: entry.sshKey });
    if (now === id) continue;
    if (!('fetched' in (await ensureCommit(entry, dir, id, 'origin', id, opts)))) {
      const why = `update ${how} refuses: cannot get commit ${id} of submodule ${path} to look for files of the server's own it would overwrite`;
      if (opts.onUnknown) {
        opts.onUnknown(why);
        continue;
      }
      return why;
    }
    const inTheWay = await untrackedInTheWay(entry, dir, id, how, opts);
    if (inTheWay) return inTheWay;
    // `--recursive`: its own submodules move with it.
    const nested = await submodulesInTheWay(entry, dir, id, how, opts, depth + 1);
    if (nested) return nested;
  }
  return null;
}
