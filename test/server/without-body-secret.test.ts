// The payload file a run's commands get (WHAUTO_PAYLOAD) holds no body "secret" (older Gogs
// sends one): the member goes, every other byte stays as the forge sent it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutBodySecret } from '../../src/server/without-body-secret.ts';

const CASES: Array<[string, string, string]> = [
  ['first of several', '{"secret":"s3","ref":"refs/heads/main"}', '{"ref":"refs/heads/main"}'],
  ['last of several, pretty-printed', '{\n  "ref": "x",\n  "secret": "s3"\n}', '{\n  "ref": "x"\n}'],
  ['in the middle', '{"a":1, "secret":"s3", "b":[1,{"secret":"inner"}]}', '{"a":1, "b":[1,{"secret":"inner"}]}'],
  ['the only member', '{ "secret": "s3" }', '{  }'],
  ['given twice, around others', '{"secret":"a","x":{"y":"}"},"secret":"b"}', '{"x":{"y":"}"}}'],
  ['a key spelled with an escape', '{"secr\\u0065t":"s3","ref":"r"}', '{"ref":"r"}'],
  ['a value holding quotes, commas and braces', '{"secret":"a\\",}{b","z":null}', '{"z":null}'],
  ['not a string (still the secret member)', '{"ref":"r","secret":{"k":[1,2]}}', '{"ref":"r"}'],
  ['none: unchanged', '{"ref":"r","repository":{"secret":"nested"}}', '{"ref":"r","repository":{"secret":"nested"}}'],
  ['UTF-8 around it', '{"msg":"café ✓","secret":"s3","n":"日本"}', '{"msg":"café ✓","n":"日本"}'],
];

for (const [name, input, output] of CASES) {
  test(`withoutBodySecret: ${name}`, () => {
    const out = withoutBodySecret(Buffer.from(input, 'utf8')).toString('utf8');
    assert.equal(out, output);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    assert.equal(Object.hasOwn(parsed, 'secret'), false);
    const { secret: _gone, ...rest } = JSON.parse(input) as Record<string, unknown>;
    assert.deepEqual(parsed, rest, 'every other member as it was');
  });
}

test('withoutBodySecret hands back the very buffer when there is nothing to remove', () => {
  const body = Buffer.from('{"ref":"r"}');
  assert.equal(withoutBodySecret(body), body);
});
