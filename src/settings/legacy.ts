/**
 * The one place that knows webhooks-git-automata 0.0.x settings. It rewrites the parsed
 * document into the modern spelling in place (new nodes keep the position of the legacy
 * text they come from, so later findings point at what the user wrote) and notes each
 * legacy key with its modern spelling. Nothing else knows legacy keys.
 *
 *   listen_ip + listen_port  → listen: HOST:PORT
 *   log_level: INFO|WARNING|DEBUG|ERROR|CRITICAL → info|warn|debug|error|error
 *   provider: github | {name: github, secret: …} (top level) → defaults: {provider, secret}
 *   repositories: → entries: (each without a branch gets branch: master, 0.0.x's default)
 */
import { isMap, isScalar, Pair, Scalar, YAMLMap, type Document, type Node, type Range } from 'yaml';
import type { Report } from './report.ts';
import { fieldsOf } from './nodes.ts';
import { scalarText } from './nodes.ts';

const PYTHON_LEVELS: Record<string, string> = {
  debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', critical: 'error',
};

/** Rewrites legacy keys of `doc` (whose root is a mapping) to the modern spelling; see above. */
export function translateLegacy(doc: Document, report: Report): void {
  const root = doc.contents;
  if (!isMap(root)) return;
  translateListen(root, report);
  translateLogLevel(root, report);
  translateProvider(root, report);
  translateRepositories(doc, root, report);
}

function keyOf(pair: Pair): string | null {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : null;
}

function find(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => keyOf(p) === key);
}

function scalarAt(value: unknown, range: Range | null | undefined): Scalar {
  const s = new Scalar(value);
  if (range) s.range = [...range];
  return s;
}

function note(report: Report, node: unknown, legacy: string, modern: string): void {
  report(node as Node, 'note', 'legacy-key', `'${legacy}' is the 0.0.x spelling; write ${modern}`);
}

function translateListen(root: YAMLMap, report: Report): void {
  const ip = find(root, 'listen_ip');
  const port = find(root, 'listen_port');
  if (!ip && !port) return;
  if (ip) note(report, ip.key, 'listen_ip', "'listen: HOST:PORT'");
  if (port) note(report, port.key, 'listen_port', "'listen: HOST:PORT'");
  const index = root.items.indexOf((ip ?? port) as Pair);
  root.items = root.items.filter((p) => p !== ip && p !== port);
  if (find(root, 'listen')) {
    report((ip ?? port)?.key as Node, 'error', 'legacy-conflict', "give either 'listen' or 'listen_ip'/'listen_port', not both");
    return;
  }
  const portText = port ? scalarText(port.value as Node) : '5000';
  if (portText === null || !/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    report((port?.value ?? port?.key) as Node, 'error', 'bad-listen', "'listen_port' must be a port number (1 to 65535)");
    return;
  }
  const host = ip ? scalarText(ip.value as Node) ?? '' : '127.0.0.1';
  const first = (ip ?? port) as Pair;
  const at = ((ip?.value ?? first.key) as Node).range;
  const text = `${host.includes(':') ? `[${host}]` : host}:${portText}`;
  const listen = new Pair(scalarAt('listen', (first.key as Node).range), scalarAt(text, at));
  root.items.splice(index, 0, listen);
}

function translateLogLevel(root: YAMLMap, report: Report): void {
  const pair = find(root, 'log_level');
  if (!pair || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
  const written = pair.value.value;
  const modern = PYTHON_LEVELS[written.toLowerCase()];
  if (modern === undefined || modern === written) return;
  report(pair.value, 'note', 'legacy-key', `log_level '${written}' is the 0.0.x spelling; write '${modern}'`);
  pair.value.value = modern;
}

function translateProvider(root: YAMLMap, report: Report): void {
  const pair = find(root, 'provider');
  if (!pair) return;
  note(report, pair.key, 'provider', "'defaults: {provider: …, secret_env: …}' (or provider in each entry)");
  root.items = root.items.filter((p) => p !== pair);
  const moved: Pair[] = [];
  if (isMap(pair.value)) {
    for (const p of pair.value.items as Pair[]) {
      moved.push(keyOf(p) === 'name' ? new Pair(scalarAt('provider', (p.key as Node).range), p.value) : p);
    }
  } else {
    moved.push(new Pair(scalarAt('provider', (pair.key as Node).range), pair.value));
  }
  const defaults = defaultsOf(root, pair);
  if (!defaults) return;
  for (const p of moved) {
    const key = keyOf(p);
    if (key !== null && find(defaults, key)) {
      report(p.key as Node, 'error', 'legacy-conflict', `the legacy top-level provider and 'defaults' both give '${key}'`);
    } else defaults.items.push(p);
  }
}

/** The `defaults` mapping, made when missing or empty; null when it is something else (validate reports that). */
function defaultsOf(root: YAMLMap, near: Pair): YAMLMap | null {
  const pair = find(root, 'defaults');
  if (pair && isMap(pair.value)) return pair.value;
  if (pair && !(pair.value === null || (isScalar(pair.value) && pair.value.value === null))) return null;
  const map = new YAMLMap();
  map.range = [...((near.key as Node).range ?? [0, 0, 0])];
  if (pair) pair.value = map;
  else root.items.unshift(new Pair(scalarAt('defaults', (near.key as Node).range), map));
  return map;
}

function translateRepositories(doc: Document, root: YAMLMap, report: Report): void {
  const pair = find(root, 'repositories');
  if (!pair) return;
  note(report, pair.key, 'repositories', "'entries' (and each entry's branch defaults to main there, not master)");
  const defaultsPair = find(root, 'defaults');
  const defaultsHaveBranch = isMap(defaultsPair?.value) &&
    fieldsOf(doc, defaultsPair.value, () => undefined).some((f) => f.key === 'branch');
  if (!isMap(pair.value)) {
    (pair.key as Scalar).value = 'entries';
    return;
  }
  for (const entry of pair.value.items as Pair[]) {
    const map = entry.value;
    if (!isMap(map) || defaultsHaveBranch) continue;
    if (fieldsOf(doc, map, () => undefined).some((f) => f.key === 'branch')) continue;
    const master = scalarAt('master', (entry.key as Node).range);
    // Said where the modern text is written (`init --from`): a modern entry without branch deploys main.
    master.comment = " 0.0.x's default; without a branch a modern entry deploys main";
    map.items.push(new Pair(scalarAt('branch', (entry.key as Node).range), master));
  }
  const entries = find(root, 'entries');
  if (!entries) {
    (pair.key as Scalar).value = 'entries';
  } else if (isMap(entries.value)) {
    entries.value.items.push(...pair.value.items);
    root.items = root.items.filter((p) => p !== pair);
  } else if (entries.value === null || (isScalar(entries.value) && entries.value.value === null)) {
    entries.value = pair.value;
    root.items = root.items.filter((p) => p !== pair);
  }
}
