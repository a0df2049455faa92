// The folder import rule of docs/architecture.md, checked against every import under src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** The layers of docs/architecture.md, read from its code block: top line first. */
function layers(): string[][] {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const block = /## The import rule[\s\S]*?```\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'docs/architecture.md has the import rule block');
  return block.trim().split('\n').map((l) => l.trim().split(/\s+/));
}

/** Every relative import of src/ as [file's folder, imported folder, file, specifier]. */
function imports(): Array<[string, string, string, string]> {
  const out: Array<[string, string, string, string]> = [];
  for (const f of readdirSync(SRC, { recursive: true }).map(String).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(SRC, f), 'utf8');
    // import … from '…', export … from '…', import('…')
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(join(SRC, f)), spec));
      out.push([f.split('/')[0]!, target.split('/')[0]!, f, spec]);
    }
  }
  return out;
}

test('docs/architecture.md names every folder under src/ once, and every folder in its table is there', () => {
  const named = layers().flat();
  const folders = readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  assert.deepEqual([...named].sort(), folders);
  assert.equal(new Set(named).size, named.length, 'no folder on two lines');
});

test('imports under src/ go only to folders on a lower line of docs/architecture.md (or the same folder)', () => {
  const rank = new Map<string, number>();
  layers().forEach((line, i) => line.forEach((name) => rank.set(name, i)));
  const against = imports()
    .filter(([from, to]) => from !== to && !(rank.get(to)! > rank.get(from)!))
    .map(([from, to, file, spec]) => `src/${file} imports ${spec} (${from} → ${to})`);
  assert.deepEqual(against, []);
});

test('the import check sees imports at all (it would pass on nothing)', () => {
  const all = imports();
  assert.ok(all.length > 100, `found ${all.length} imports`);
  assert.ok(all.some(([from, to]) => from === 'cli' && to === 'settings'));
});
