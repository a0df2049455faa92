/** Paths named in a message; the rest are counted. */
const SHOWN = 10;

/** Characters that would let a file's name break a log line or pass for whauto's own words. */
const UNSAFE = /[\u0000-\u001f\u007f"\\]/;

/**
 * `path` as a message shows it: as it is, or, when it holds a control character (a newline),
 * a double quote or a backslash, quoted with escapes (`"evil\n==> succeeded"`), as git quotes
 * such names. A pushed file's name must not write a line of its own into a run log.
 */
export function quotePath(path: string): string {
  return UNSAFE.test(path) ? JSON.stringify(path) : path;
}

/** `a, b, c` for at most SHOWN paths (each quoted as quotePath does), then "and N more": a message stays readable for a big tree. */
export function showPaths(paths: string[]): string {
  return paths.slice(0, SHOWN).map(quotePath).join(', ') + (paths.length > SHOWN ? ` and ${paths.length - SHOWN} more` : '');
}
