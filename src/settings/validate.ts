import { isMap, isScalar, type Document, type Node, type YAMLMap } from 'yaml';
import { ENTRY_KEYS, ENTRY_NAME, TOP_KEYS, type KeyDef } from './schema.ts';
import type { Report } from './report.ts';
import { describe, fieldsOf, type Field, type RawField } from './nodes.ts';
import { FAILED, parseValue } from './values.ts';
import { didYouMean } from './did-you-mean.ts';

export type { RawField };
export type RawMap = Map<string, RawField>;

export interface RawEntry {
  name: string;
  nameNode: Node;
  fields: RawMap;
}

/** The file after the schema check: every key that parsed; what did not was reported. */
export interface RawSettings {
  top: RawMap;
  defaults: RawMap;
  entries: RawEntry[];
  /** The root node, for findings about the whole file. */
  root: Node | null;
}

/**
 * Checks the document (already translated from legacy spelling) against the schema,
 * reporting every problem through `report` (codes: 'type', 'unknown-key', 'duplicate-key',
 * 'duplicate-entry', 'bad-entry-name', 'secret-conflict' and those of parseValue).
 */
export function validate(doc: Document, report: Report): RawSettings {
  const root = doc.contents as Node | null;
  const out: RawSettings = { top: new Map(), defaults: new Map(), entries: [], root };
  if (root === null || (isScalar(root) && root.value === null)) return out;
  if (!isMap(root)) {
    report(root, 'error', 'type', `the settings must be a mapping of keys, not ${describe(root)}`);
    return out;
  }
  for (const f of fieldsOf(doc, root, report)) {
    const def = TOP_KEYS[f.key];
    if (def === undefined) {
      unknownKey(f.key, f.keyNode, TOP_KEYS, report, ENTRY_KEYS[f.key] ? ` ('${f.key}' belongs in an entry or in defaults)` : '');
    } else if (def.kind === 'defaults') {
      const map = mapOf(f.node, f.key, f.keyNode, report);
      if (map) out.defaults = validateEntryMap(doc, map, report);
    } else if (def.kind === 'entries') {
      const map = mapOf(f.node, f.key, f.keyNode, report);
      if (map) out.entries = validateEntries(doc, map, report);
    } else {
      const value = parseValue(def, f.node, f.keyNode, { doc, report, key: f.key });
      if (value !== FAILED) out.top.set(f.key, { value, node: f.node ?? f.keyNode, keyNode: f.keyNode });
    }
  }
  return out;
}

function validateEntries(doc: Document, map: YAMLMap, report: Report): RawEntry[] {
  const entries: RawEntry[] = [];
  const duplicates: Field[] = [];
  for (const f of fieldsOf(doc, map, report, 'duplicate-entry', duplicates)) {
    if (!ENTRY_NAME.test(f.key)) {
      report(f.keyNode, 'error', 'bad-entry-name',
        `entry name '${f.key}' is not usable as a URL path segment (letters, digits, '.', '_', '~', '-'; not first '.', '_', '~', '-')`);
    }
    const entryMap = mapOf(f.node, `entries.${f.key}`, f.keyNode, report);
    const fields = entryMap ? validateEntryMap(doc, entryMap, report) : new Map();
    if (entryMap !== undefined) entries.push({ name: f.key, nameNode: f.keyNode, fields });
  }
  // A second entry of the same name is not used, but its problems are reported too.
  for (const f of duplicates) {
    const entryMap = mapOf(f.node, `entries.${f.key}`, f.keyNode, report);
    if (entryMap) validateEntryMap(doc, entryMap, report);
  }
  return entries;
}

function validateEntryMap(doc: Document, map: YAMLMap, report: Report): RawMap {
  const out: RawMap = new Map();
  const secretKeys: Node[] = [];
  for (const f of fieldsOf(doc, map, report)) {
    const def = ENTRY_KEYS[f.key];
    if (def === undefined) {
      unknownKey(f.key, f.keyNode, ENTRY_KEYS, report, TOP_KEYS[f.key] ? ` ('${f.key}' is a top-level key)` : '');
      continue;
    }
    if (f.key === 'secret' || f.key === 'secret_env' || f.key === 'secret_file') secretKeys.push(f.keyNode);
    const value = parseValue(def, f.node, f.keyNode, { doc, report, key: f.key });
    // A secret key that failed still counts as given, so no 'no-auth' warning follows.
    if (value !== FAILED || secretKeys.includes(f.keyNode)) {
      out.set(f.key, { value: value === FAILED ? null : value, node: f.node ?? f.keyNode, keyNode: f.keyNode });
    }
  }
  for (const keyNode of secretKeys.slice(1)) {
    report(keyNode, 'error', 'secret-conflict', 'give at most one of secret, secret_env and secret_file');
  }
  return out;
}

/** The mapping under a key; null for an empty value; undefined (reported) for anything else. */
function mapOf(node: Node | null, key: string, keyNode: Node, report: Report): YAMLMap | null | undefined {
  if (node === null || (isScalar(node) && node.value === null)) return null;
  if (isMap(node)) return node;
  report(node ?? keyNode, 'error', 'type', `'${key}' must be a mapping, not ${describe(node)}`);
  return undefined;
}

function unknownKey(key: string, keyNode: Node, known: Record<string, KeyDef>, report: Report, extra: string): void {
  const hint = didYouMean(key, Object.keys(known));
  report(keyNode, 'error', 'unknown-key', `unknown key '${key}'${hint ? `; did you mean '${hint}'?` : ''}${extra}`);
}
