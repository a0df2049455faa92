import { lstatSync } from 'node:fs';
import { join } from 'node:path';

/** What a path of a work tree is on disk, itself: a symlink is 'link', even to a folder; 'none' when missing or under a file. */
export type PathKind = 'dir' | 'link' | 'file' | 'none';

/** The PathKind of `path` (lstat: never looked through). */
export function pathKind(path: string): PathKind {
  try {
    const st = lstatSync(path);
    return st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file';
  } catch {
    return 'none'; // missing, or a parent is a file (ENOTDIR)
  }
}

/** pathKind of paths relative to `root`, each looked at once (the parents many paths share). */
export function pathKinds(root: string): (rel: string) => PathKind {
  const seen = new Map<string, PathKind>();
  return (rel) => {
    let k = seen.get(rel);
    if (k === undefined) seen.set(rel, (k = pathKind(join(root, rel))));
    return k;
  };
}
