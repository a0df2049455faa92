import { Document, type Node } from 'yaml';
import type { KeyDef } from './schema.ts';
import { FAILED, parseValue } from './values.ts';

/**
 * The schema default of a key, parsed like a value in the file (so `'15m'` becomes
 * 900000 ms and `'main'` becomes ['main']); null when the key has no default. A fresh
 * copy each call. Throws only when the schema table itself is wrong (a programming error).
 */
export function defaultValue(def: KeyDef, key: string): unknown {
  if (def.default === undefined) return null;
  const doc = new Document(def.default);
  const node = doc.contents as Node;
  const value = parseValue(def, node, node, { doc, key, report: () => undefined });
  if (value === FAILED) throw new Error(`schema default of '${key}' does not parse`);
  return value;
}
