const MAX_REF_BYTES = 1024;
// Control characters, DEL, space and the characters git forbids in ref names.
const FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/;

/**
 * Why `ref` (a full ref, `refs/heads/…` or `refs/tags/…`) is not a ref whauto deploys, or
 * null: it must obey `git check-ref-format` (no '..', '@{', '//', control characters, space,
 * ~^:?*[\, no component starting with '.' or ending '.lock', no trailing '/' or '.'), have no
 * component starting with '-' (it could read as an option), not be a branch named HEAD (git
 * refuses to check it out), and be at most 1024 bytes. The
 * reason never echoes the value. Pure: the forges check pushed refs with it, and the update
 * checks a target's ref with it before any git runs.
 */
export function refNameProblem(ref: string): string | null {
  if (!ref.startsWith('refs/heads/') && !ref.startsWith('refs/tags/')) return 'expected refs/heads/… or refs/tags/…';
  if (Buffer.byteLength(ref, 'utf8') > MAX_REF_BYTES) return 'longer than 1024 bytes';
  if (FORBIDDEN.test(ref)) return 'forbidden character';
  if (ref.includes('..')) return "contains '..'";
  if (ref.includes('@{')) return "contains '@{'";
  if (ref.endsWith('/') || ref.endsWith('.')) return "ends with '/' or '.'";
  // git refuses these as branch names (`git check-ref-format --branch`): HEAD would read as the current commit.
  if (ref === 'refs/heads/HEAD') return "a branch named 'HEAD'";
  for (const part of ref.split('/')) {
    if (part === '') return 'empty component';
    if (part.startsWith('.')) return "component starts with '.'";
    if (part.startsWith('-')) return "component starts with '-'";
    if (part.endsWith('.lock')) return "component ends with '.lock'";
  }
  return null;
}
