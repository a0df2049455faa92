/** Paths named in a message; the rest are counted. */
const SHOWN = 10;

/** `a, b, c` for at most SHOWN paths, then "and N more": a message stays readable for a big tree. */
export function showPaths(paths: string[]): string {
  return paths.slice(0, SHOWN).join(', ') + (paths.length > SHOWN ? ` and ${paths.length - SHOWN} more` : '');
}
