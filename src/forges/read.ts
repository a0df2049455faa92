import { PayloadError } from './types.ts';

type Json = Record<string, unknown>;

/** The value at a dotted path ('repository.owner.login'), or undefined where any step is missing. */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Json)[key];
  }
  return cur;
}

/** The string at `path`. Throws PayloadError naming the path when it is missing or not a string. */
export function str(obj: unknown, path: string): string {
  const v = at(obj, path);
  if (typeof v !== 'string') throw new PayloadError(`${path}: expected a string`);
  return v;
}

/** The string at `path`, or null when missing, null or ''. Throws PayloadError for other types. */
export function optStr(obj: unknown, path: string): string | null {
  const v = at(obj, path);
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new PayloadError(`${path}: expected a string`);
  return v;
}

/** The object at `path`, or null when missing or null. Throws PayloadError for other types. */
export function optObj(obj: unknown, path: string): Json | null {
  const v = at(obj, path);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new PayloadError(`${path}: expected an object`);
  return v as Json;
}

/** The array at `path`. Throws PayloadError naming the path when it is missing or not an array. */
export function arr(obj: unknown, path: string): unknown[] {
  const v = at(obj, path);
  if (!Array.isArray(v)) throw new PayloadError(`${path}: expected an array`);
  return v;
}

const COMMIT = /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;

/**
 * A commit id at `path` (40 or 64 hex digits, kept as given), or null when missing, null or ''.
 * Throws PayloadError when present but not such a string.
 */
export function optCommit(obj: unknown, path: string): string | null {
  const v = optStr(obj, path);
  if (v !== null && !COMMIT.test(v)) throw new PayloadError(`${path}: expected a 40 or 64 digit hex commit id`);
  return v;
}

/** The first of `paths` holding a non-empty string, or null. Other types are skipped. */
export function firstStr(obj: unknown, ...paths: string[]): string | null {
  for (const p of paths) {
    const v = at(obj, p);
    if (typeof v === 'string' && v !== '') return v;
  }
  return null;
}
