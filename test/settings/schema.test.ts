import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsJsonSchema, ENTRY_KEYS, TOP_KEYS } from '../../src/settings/schema.ts';
import { PROVIDERS } from '../../src/model/names.ts';
import { defaultValue } from '../../src/settings/default-value.ts';

interface Json { properties: Record<string, { description?: string; default?: unknown; enum?: string[] }>; $defs: { entry: Json }; $schema: string }

test('settingsJsonSchema describes every top-level and entry key with its doc and default', () => {
  const schema = JSON.parse(JSON.stringify(settingsJsonSchema())) as Json;
  assert.match(schema.$schema, /2020-12/);
  assert.deepEqual(Object.keys(schema.properties), Object.keys(TOP_KEYS));
  assert.deepEqual(Object.keys(schema.$defs.entry.properties), Object.keys(ENTRY_KEYS));
  for (const [name, def] of [...Object.entries(TOP_KEYS), ...Object.entries(ENTRY_KEYS)]) {
    const prop = schema.properties[name] ?? schema.$defs.entry.properties[name];
    assert.equal(prop?.description, def.doc, name);
    assert.deepEqual(prop?.default, def.default, name);
  }
  assert.deepEqual(schema.$defs.entry.properties.provider?.enum, [...PROVIDERS]);
});

test('every schema default parses as a value of its own key', () => {
  for (const [name, def] of [...Object.entries(TOP_KEYS), ...Object.entries(ENTRY_KEYS)]) {
    assert.doesNotThrow(() => defaultValue(def, name), name);
  }
  assert.equal(defaultValue(ENTRY_KEYS.timeout!, 'timeout'), 900_000);
  assert.deepEqual(defaultValue(ENTRY_KEYS.branch!, 'branch'), ['main']);
});

test('the JSON schema\'s webhook_url_path pattern takes the characters check takes', () => {
  const pattern = new RegExp((settingsJsonSchema() as unknown as Json & { properties: Record<string, { pattern: string }> }).properties.webhook_url_path!.pattern);
  for (const ok of ['/webhook', "/Az09-._~!$&'()*+,;=:@/x"]) assert.ok(pattern.test(ok), ok);
  for (const bad of ['/ü', '/a\\b', '/a b', '/a%2f', '/a?b', '/a#b', '/a|b']) assert.ok(!pattern.test(bad), bad);
});
