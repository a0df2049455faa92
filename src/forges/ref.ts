import { targetOfRef } from '../model/target.ts';
import { PayloadError } from './types.ts';

const MAX_REF_BYTES = 1024;
// Control characters, DEL, space and the characters git forbids in ref names.
const FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/;

/**
 * Checks a pushed ref and returns it: a string starting 'refs/heads/' or 'refs/tags/' that
 * obeys `git check-ref-format` (no '..', '@{', '//', control characters, space, ~^:?*[\,
 * no component starting with '.' or ending '.lock', no trailing '/' or '.'), with no component
 * starting with '-' (it could read as an option) and at most 1024 bytes.
 * Throws PayloadError naming what is wrong (never echoing the value).
 */
export function checkRef(ref: unknown, path = 'ref'): string {
  if (typeof ref !== 'string') throw new PayloadError(`${path}: expected a string`);
  if (!ref.startsWith('refs/heads/') && !ref.startsWith('refs/tags/')) {
    throw new PayloadError(`${path}: expected refs/heads/… or refs/tags/…`);
  }
  const bad = (why: string) => new PayloadError(`${path}: not a valid ref name (${why})`);
  if (Buffer.byteLength(ref, 'utf8') > MAX_REF_BYTES) throw bad('longer than 1024 bytes');
  if (FORBIDDEN.test(ref)) throw bad('forbidden character');
  if (ref.includes('..')) throw bad("contains '..'");
  if (ref.includes('@{')) throw bad("contains '@{'");
  if (ref.endsWith('/') || ref.endsWith('.')) throw bad("ends with '/' or '.'");
  for (const part of ref.split('/')) {
    if (part === '') throw bad('empty component');
    if (part.startsWith('.')) throw bad("component starts with '.'");
    if (part.startsWith('-')) throw bad("component starts with '-'");
    if (part.endsWith('.lock')) throw bad("component ends with '.lock'");
  }
  return ref;
}

/** Branch and tag name of a checked ref: exactly one of them is set. */
export function refNames(ref: string): { branch: string | null; tag: string | null } {
  const target = targetOfRef(ref);
  return { branch: target?.kind === 'branch' ? target.name : null, tag: target?.kind === 'tag' ? target.name : null };
}
