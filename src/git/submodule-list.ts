import type { Entry } from '../settings/types.ts';
import { gitPaths } from './git-paths.ts';
import type { GitOptions } from './types.ts';

/** A submodule as a commit records it: its name, path, URL and `update` in `.gitmodules`, and its commit (the gitlink; null: no gitlink there). */
export interface Submodule {
  name: string;
  path: string;
  url: string | null;
  /** submodule.<name>.update as written (checkout, merge, rebase, none, !command); null: not set. */
  update: string | null;
  commit: string | null;
}

/**
 * The submodules commit `rev` records: `.gitmodules` read from the commit (`git config --blob
 * <rev>:.gitmodules`) and each path's gitlink (`git ls-tree <rev> -- <paths>`): as cheap as the
 * submodules are few, whatever the size of the tree. Empty when the commit has no
 * `.gitmodules`; null when git fails otherwise. Never throws.
 */
export async function submoduleList(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  rev: string,
  opts: GitOptions & { deadline?: number },
): Promise<Submodule[] | null> {
  const has = await gitPaths(entry, ['ls-tree', '-z', '--name-only', rev, '--', '.gitmodules'], dir, opts);
  if (has === null) return null;
  if (has.length === 0) return [];
  const config = await gitPaths(entry, ['config', '-z', '--blob', `${rev}:.gitmodules`, '--get-regexp', '^submodule\\..*\\.(path|url|update)$'], dir, opts);
  // exit 1: no such keys (an empty .gitmodules).
  const byName = new Map<string, { path: string | null; url: string | null; update: string | null }>();
  for (const item of config ?? []) {
    // -z: "<key>\n<value>"
    const nl = item.indexOf('\n');
    const key = nl < 0 ? item : item.slice(0, nl);
    const value = nl < 0 ? '' : item.slice(nl + 1);
    const m = /^submodule\.(.*)\.(path|url|update)$/s.exec(key);
    if (!m) continue;
    const s = byName.get(m[1]!) ?? { path: null, url: null, update: null };
    if (m[2] === 'path') s.path = value;
    else if (m[2] === 'url') s.url = value;
    else s.update = value;
    byName.set(m[1]!, s);
  }
  const named = [...byName].filter(([, s]) => s.path).map(([name, s]) => ({ name, path: s.path!.replace(/\/+$/, ''), url: s.url, update: s.update }));
  if (named.length === 0) return [];
  const tree = await gitPaths(entry, ['ls-tree', '-z', rev, '--', ...named.map((s) => s.path)], dir, opts);
  if (tree === null) return null;
  const links = new Map<string, string>();
  for (const line of tree) {
    // "<mode> <type> <id>\t<path>"; a submodule is mode 160000.
    const tab = line.indexOf('\t');
    const [mode, , id] = line.slice(0, tab).split(' ');
    if (mode === '160000' && id) links.set(line.slice(tab + 1), id);
  }
  return named.map((s) => ({ ...s, commit: links.get(s.path) ?? null }));
}

/**
 * The URL a submodule's `url` means: as written, or, when relative (`./x`, `../x`), resolved
 * against `base` (the superproject's remote URL) as `git submodule sync` does: each `../`
 * takes one part off the base's path.
 */
export function resolveSubmoduleUrl(url: string, base: string | null): string {
  if (!url.startsWith('./') && !url.startsWith('../')) return url;
  if (base === null) return url;
  let b = base.replace(/\/+$/, '');
  let rest = url;
  for (;;) {
    if (rest.startsWith('./')) rest = rest.slice(2);
    else if (rest.startsWith('../')) {
      rest = rest.slice(3);
      // scp-like "host:path": the path after ':' loses a part; with no '/' left it goes to the ':'.
      const cut = Math.max(b.lastIndexOf('/'), b.indexOf(':') >= 0 && !b.includes('://') ? b.indexOf(':') : -1);
      b = cut >= 0 ? b.slice(0, cut + (b[cut] === ':' ? 1 : 0)) : '.';
    } else break;
  }
  return b.endsWith(':') ? `${b}${rest}` : `${b}/${rest}`;
}

/** How a message names a submodule: its path (`shownPath`, default its own), and its name in `.gitmodules` when that differs. */
export function showSubmodule(s: Pick<Submodule, 'name' | 'path'>, shownPath = s.path): string {
  return s.name === s.path ? shownPath : `${shownPath} (named ${s.name} in .gitmodules)`;
}
