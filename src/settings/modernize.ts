import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, Pair, parseDocument, Scalar, type Document, type Node, type YAMLMap } from 'yaml';
import { translateLegacy } from './legacy.ts';
import { fieldsOf } from './nodes.ts';
import { ENTRY_KEYS, TOP_KEYS } from './schema.ts';

/**
 * The modern spelling of the settings file `fromFile` (text `text`), for a new file in folder
 * `toDir`: legacy 0.0.x keys translated as the loader does (legacy.ts), top-level keys in
 * the schema's order, comments kept where their key stays, secrets referenced as before
 * (an inline `secret` stays inline). When `toDir` is not the file's folder, relative paths
 * are made absolute so that they still name the same files, and a state dir the old file
 * used by default (`whauto-state` beside it) is named. The caller checks the file loads
 * without errors first; this never throws for a file that does.
 */
export function modernize(fromFile: string, text: string, toDir: string): { text: string; inlineSecret: boolean } {
  const doc = parseDocument(text, { uniqueKeys: false });
  translateLegacy(doc, () => undefined);
  const root = doc.contents;
  if (!isMap(root)) return { text: doc.toString(), inlineSecret: false };
  const maps = entryMaps(doc, root);
  const fromDir = dirname(resolve(fromFile));
  if (resolve(toDir) !== fromDir) keepPaths(doc, root, maps, fromDir);
  const order = Object.keys(TOP_KEYS);
  const rank = (p: unknown): number => {
    const key = isScalar((p as Pair).key) ? String(((p as Pair).key as Scalar).value) : '';
    const i = order.indexOf(key);
    return i < 0 ? order.length : i;
  };
  root.items.sort((a, b) => rank(a) - rank(b));
  const inlineSecret = [maps.defaults, ...maps.entries].some((m) => m !== null && fieldsOf(doc, m, () => undefined).some((f) => f.key === 'secret'));
  return { text: doc.toString({ lineWidth: 0 }), inlineSecret };
}

/** The `defaults` mapping (null: none) and the entries' mappings. */
function entryMaps(doc: Document, root: YAMLMap): { defaults: YAMLMap | null; entries: YAMLMap[] } {
  const top = fieldsOf(doc, root, () => undefined);
  const defaults = top.find((f) => f.key === 'defaults')?.node;
  const entries = top.find((f) => f.key === 'entries')?.node;
  return {
    defaults: isMap(defaults) ? defaults : null,
    entries: isMap(entries) ? entries.items.map((p) => p.value).filter((v): v is YAMLMap => isMap(v)) : [],
  };
}

/** Makes the relative paths of `root` absolute against `fromDir` (see modernize). */
function keepPaths(doc: Document, root: YAMLMap, maps: { defaults: YAMLMap | null; entries: YAMLMap[] }, fromDir: string): void {
  const stateDir = fieldsOf(doc, root, () => undefined).find((f) => f.key === 'state_dir');
  if (stateDir) absolute(stateDir.node, fromDir);
  else if (existsSync(join(fromDir, 'whauto-state'))) root.items.push(new Pair(new Scalar('state_dir'), new Scalar(join(fromDir, 'whauto-state'))));
  const has = (map: YAMLMap | null, key: string): boolean => map !== null && fieldsOf(doc, map, () => undefined).some((f) => f.key === key);
  for (const map of [maps.defaults, ...maps.entries]) {
    if (map === null) continue;
    // A relative workdir is relative to the repodir, which stays put; without one, to the file's folder.
    const workdirMoves = map !== maps.defaults && !has(map, 'repodir') && !has(maps.defaults, 'repodir');
    for (const f of fieldsOf(doc, map, () => undefined)) {
      if (ENTRY_KEYS[f.key]?.kind === 'path' && (f.key !== 'workdir' || workdirMoves)) absolute(f.node, fromDir);
    }
  }
}

function absolute(node: Node | null, fromDir: string): void {
  // ${CREDENTIALS_DIRECTORY}/… is absolute once expanded.
  if (isScalar(node) && typeof node.value === 'string' && !isAbsolute(node.value) && !node.value.startsWith('${')) {
    node.value = resolve(fromDir, node.value);
  }
}
