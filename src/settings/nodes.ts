import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import type { Report } from './report.ts';

/** A key that parsed: its value (ms, bytes, lists… paths as written) and where it stands. */
export interface RawField {
  value: unknown;
  node: Node;
  keyNode: Node;
}

/** One key of a mapping, after `<<` merges: its name, key node and (resolved) value node. */
export interface Field {
  key: string;
  keyNode: Node;
  /** The value node with aliases resolved; null for `key:` with nothing after it. */
  node: Node | null;
}

/** Follows an alias (`*name`) to the node it stands for; other nodes come back as they are. */
export function resolveNode(doc: Document, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return (node as Node | null | undefined) ?? null;
}

/**
 * The fields of a mapping in file order. `<<: *anchor` (or a list of them) merges the
 * anchored mappings' fields in, explicit keys winning. A key given twice is reported with
 * `duplicateCode` at its second place (and handed to `duplicates`, when given, so its
 * contents can still be checked); a key that is not a plain string is reported as 'type'.
 */
export function fieldsOf(doc: Document, map: YAMLMap, report: Report, duplicateCode = 'duplicate-key', duplicates?: Field[]): Field[] {
  const own: Field[] = [];
  const merged: Field[] = [];
  const seen = new Set<string>();
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
      report(keyNode, 'error', 'type', 'a key must be a plain name');
      continue;
    }
    const key = String(keyNode.value);
    const node = resolveNode(doc, pair.value);
    if (key === '<<' && !(isScalar(keyNode) && keyNode.type !== 'PLAIN')) {
      const sources = isSeq(node) ? node.items.map((n) => resolveNode(doc, n)) : [node];
      for (const source of sources) {
        if (isMap(source)) merged.push(...fieldsOf(doc, source, () => undefined));
        else report(source ?? keyNode, 'error', 'type', "'<<' merges a mapping (or a list of them)");
      }
      continue;
    }
    if (seen.has(key)) {
      report(keyNode, 'error', duplicateCode, `'${key}' is given more than once`);
      duplicates?.push({ key, keyNode, node });
      continue;
    }
    seen.add(key);
    own.push({ key, keyNode, node });
  }
  for (const field of merged) {
    if (!seen.has(field.key)) {
      seen.add(field.key);
      own.push(field);
    }
  }
  return own;
}

/** `'text'` for a scalar (its source text), else what kind of node it is. */
export function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'nothing' : `'${scalarText(node)}'`;
  return 'this';
}

/** A scalar as text, numbers and booleans as written (`1.10` stays "1.10"); null when not a scalar. */
export function scalarText(node: Node | null): string | null {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') return null;
  if (typeof node.value === 'string') return node.value;
  return (node as { source?: string }).source ?? String(node.value);
}
