// Signature and token compares are constant time by construction (no timing measured): every
// compare of a secret-derived value goes through crypto.timingSafeEqual on equal-length
// buffers; tokens are compared as SHA-256 digests, so a token of any length costs the same and
// the secret's length does not show; HMACs are compared only at the expected hex length,
// which depends on the algorithm alone.
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import crypto, { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getForge } from '../../src/forges/registry.ts';
import { verifyHexHmac } from '../../src/forges/hmac.ts';
import { tokenEquals } from '../../src/forges/token.ts';
import type { Delivery } from '../../src/forges/types.ts';

const SECRET = 'a-secret-of-29-characters-xyz';
const BODY = Buffer.from('{"ref":"refs/heads/main"}');

function delivery(headers: Record<string, string>, body: Buffer = BODY): Delivery {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { headers: lower, body, contentType: 'json', payload: body };
}

describe('constant-time compares', () => {
  let calls: Array<[Buffer, Buffer]>;
  beforeEach(() => {
    calls = [];
    const real = crypto.timingSafeEqual;
    mock.method(crypto, 'timingSafeEqual', (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)]);
      return real(a, b);
    });
    // The forges import timingSafeEqual as an ESM binding: let it see the spy.
    syncBuiltinESMExports();
  });
  afterEach(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
  });

  it('tokenEquals compares two 32-byte digests, whatever the given length', () => {
    for (const given of ['', 'a', SECRET.slice(0, -1), SECRET, `${SECRET}x`, 'x'.repeat(10_000)]) {
      calls = [];
      assert.equal(tokenEquals(given, SECRET), given === SECRET);
      assert.equal(calls.length, 1, `one compare for a token of ${given.length} chars`);
      assert.equal(calls[0]![0].length, 32);
      assert.equal(calls[0]![1].length, 32);
    }
  });

  it('verifyHexHmac compares only at the expected hex length (public: set by the algorithm)', () => {
    const right = createHmac('sha256', SECRET).update(BODY).digest('hex');
    for (const given of [right.slice(0, -1), `${right}0`, '', right.toUpperCase().slice(0, 10)]) {
      calls = [];
      assert.equal(verifyHexHmac('sha256', SECRET, BODY, given), false);
      assert.equal(calls.length, 0, 'a wrong length is refused before any compare');
    }
    for (const given of [right, '0'.repeat(64), right.toUpperCase()]) {
      calls = [];
      assert.equal(verifyHexHmac('sha256', SECRET, BODY, given), given === right);
      assert.equal(calls.length, 1);
      assert.deepEqual(calls.map(([a, b]) => [a.length, b.length]), [[64, 64]]);
    }
    calls = [];
    verifyHexHmac('sha1', SECRET, BODY, '0'.repeat(40));
    assert.deepEqual(calls.map(([a, b]) => [a.length, b.length]), [[40, 40]]);
  });

  const wrong: Array<[string, Record<string, string>, Buffer?]> = [
    ['github', { 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }],
    ['github', { 'X-Hub-Signature': `sha1=${'0'.repeat(40)}` }],
    ['gitea', { 'X-Gitea-Signature': '0'.repeat(64) }],
    ['forgejo', { 'X-Forgejo-Signature': '0'.repeat(64) }],
    ['gogs', { 'X-Gogs-Signature': '0'.repeat(64) }],
    ['gogs', {}, Buffer.from('{"secret":"short"}')],
    ['bitbucket', { 'X-Hub-Signature': `sha256=${'0'.repeat(64)}` }],
    ['bitbucket-server', { 'X-Hub-Signature': `sha256=${'0'.repeat(64)}`, 'X-Event-Key': 'repo:refs_changed' }],
    ['gitlab', { 'X-Gitlab-Token': 'short' }],
    ['gitlab', { 'X-Gitlab-Token': SECRET.repeat(3) }],
    ['plain', { 'X-Webhook-Token': 'short' }],
    ['plain', { Authorization: `Bearer ${SECRET}${SECRET}` }],
  ];
  for (const [forge, headers, body] of wrong) {
    it(`${forge} ${JSON.stringify(Object.keys(headers))}: a wrong value is refused through timingSafeEqual on equal lengths`, () => {
      const r = getForge(forge).verify(delivery(headers, body), SECRET);
      assert.equal(r.ok, false);
      assert.ok(calls.length >= 1, 'went through timingSafeEqual');
      for (const [a, b] of calls) assert.equal(a.length, b.length);
      // Tokens are digests: their compare does not depend on the secret's or the token's length.
      if (forge === 'gitlab' || forge === 'plain' || body) for (const [a] of calls) assert.equal(a.length, 32);
    });
  }

  it('no forge compares a secret with ===, startsWith or includes', () => {
    const dir = fileURLToPath(new URL('../../src/forges/', import.meta.url));
    const risky = /[=!]==?\s*secret\b|\bsecret\s*[=!]==?|\.(startsWith|endsWith|includes|indexOf)\(\s*secret\b/;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const lines = readFileSync(`${dir}${f}`, 'utf8').split('\n');
      // Only "is there a secret at all" may be asked with ===.
      for (const [i, line] of lines.entries()) assert.doesNotMatch(line.replace(/\bsecret [=!]== null\b/g, ''), risky, `${f}:${i + 1}: ${line.trim()}`);
    }
  });
});
