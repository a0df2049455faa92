// The committed JSON Schema, `whauto schema` and the examples' yaml-language-server lines
// all come from the one definition in src/settings/schema.ts. The build rewrites the schema
// file before the tests run, so whether the commit holds it as generated is asked of git.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { referenceText, schemaText } from '../../src/cli/schema.ts';
import { committedState } from '../helpers/generated.ts';
import { whauto } from '../helpers/run.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA_FILE = resolve(ROOT, 'schema/settings.schema.json');
const EXAMPLES = ['examples/settings.yaml', 'examples/demo/settings.yaml'];

test('schema/settings.schema.json is what settingsJsonSchema() generates (run node build.mjs to refresh it)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaText());
});

test('schema/settings.schema.json is committed as generated (the build rewrote it: commit it)', (t) => {
  const c = committedState('schema/settings.schema.json');
  if (c.state === 'unknown') return t.skip(c.why);
  assert.equal(c.state, 'committed', c.state === 'changed' ? c.diff : '');
});

test('docs/settings.md is what the settings definition generates, and committed so (the build rewrites it: commit it)', (t) => {
  assert.equal(readFileSync(resolve(ROOT, 'docs/settings.md'), 'utf8'), referenceText());
  const c = committedState('docs/settings.md');
  if (c.state === 'unknown') return t.skip(c.why);
  assert.equal(c.state, 'committed', c.state === 'changed' ? c.diff : '');
});

test('docs/settings.md names every key of the settings definition, each with an example', () => {
  const text = readFileSync(resolve(ROOT, 'docs/settings.md'), 'utf8');
  const schema = JSON.parse(schemaText());
  for (const key of [...Object.keys(schema.properties), ...Object.keys(schema.$defs.entry.properties)]) {
    assert.match(text, new RegExp(`### \`${key}\`\n\n[^\n]+; default [^\n]+\.\n\n[^\n]+\n\n\`\`\`yaml\n${key}: `), key);
  }
});

test('whauto schema prints the committed schema, byte for byte', () => {
  const r = whauto(['schema']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(SCHEMA_FILE, 'utf8'));
  const bad = whauto(['schema', 'extra']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage: whauto schema/);
});

for (const example of EXAMPLES) {
  test(`${example} starts with a yaml-language-server line naming the schema file, and uses only its keys`, () => {
    const file = resolve(ROOT, example);
    const text = readFileSync(file, 'utf8');
    const m = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    assert.ok(m, 'first line');
    const target = resolve(dirname(file), m[1]!);
    assert.equal(target, SCHEMA_FILE);
    assert.ok(existsSync(target));
    const schema = JSON.parse(readFileSync(target, 'utf8'));
    const settings = parse(text) as Record<string, unknown>;
    for (const key of Object.keys(settings)) assert.ok(key in schema.properties, `top-level key ${key}`);
    const entries = Object.values((settings['entries'] ?? {}) as Record<string, Record<string, unknown>>);
    for (const entry of [...entries, (settings['defaults'] ?? {}) as Record<string, unknown>]) {
      for (const key of Object.keys(entry ?? {})) assert.ok(key in schema.$defs.entry.properties, `entry key ${key}`);
    }
  });
}
