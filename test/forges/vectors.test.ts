// Every signature vector in ../shared/fixtures/vectors.json: positive ones verify through the
// forge whose header they carry (or the hmac helper where no forge sends that header),
// negative ones are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getForge } from '../../src/forges/registry.ts';
import { verifyHexHmac } from '../../src/forges/hmac.ts';
import { fixturesDir, formDelivery, jsonDelivery } from './delivery.ts';

interface Vector {
  id: string;
  header: string;
  algorithm: string;
  secret: string;
  body: { inline?: string; file?: string };
  published_signature: string;
  expected_valid_in_source: boolean;
}
interface TokenCheck {
  id: string;
  header: string;
  configured_secret: string;
  header_value: string;
  body?: { file?: string };
  expected_valid_in_source: boolean;
}

const dir = fixturesDir();
if (dir === null) {
  test('signature vectors', { skip: '../shared/fixtures not found (fresh clone): vector tests skipped' }, () => {});
} else {
  const doc = JSON.parse(readFileSync(dir + 'vectors.json', 'utf8')) as { vectors: Vector[]; token_checks: TokenCheck[] };
  const bodyOf = (b: { inline?: string; file?: string } | undefined) =>
    b?.file !== undefined ? readFileSync(dir + b.file) : Buffer.from(b?.inline ?? '{}', 'utf8');

  for (const v of doc.vectors) {
    const expect = v.expected_valid_in_source ? 'accepts' : 'refuses (403)';
    test(`vector ${v.id}: ${expect}`, () => {
      const body = bodyOf(v.body);
      const sig = v.published_signature;
      const algo = v.algorithm.replace('hmac-', '');
      const through = (forge: string, headers: Record<string, string>, form = false) => {
        const delivery = form ? formDelivery(headers, body) : jsonDelivery(headers, body);
        const result = getForge(forge).verify(delivery, v.secret);
        if (v.expected_valid_in_source) assert.deepEqual(result, { ok: true }, `${forge} accepts`);
        else assert.deepEqual({ ok: result.ok, status: !result.ok && result.status }, { ok: false, status: 403 }, `${forge} refuses`);
      };
      if (v.id.startsWith('adnanh-')) {
        // adnanh/webhook's bare sha1 hex (no 'sha1=' prefix) was never GitHub's format:
        // the HMAC is checked with the helper, and the github forge refuses the bare form.
        assert.equal(verifyHexHmac('sha1', v.secret, body, sig), true);
        const bare = getForge('github').verify(jsonDelivery({ 'X-Hub-Signature': sig }, body), v.secret);
        assert.equal(bare.ok, false);
      } else if (algo === 'sha512') {
        // go-github's sha512= extension: no forge sends it.
        assert.equal(verifyHexHmac('sha512', v.secret, body, sig), true);
      } else if (v.header === 'X-Hub-Signature-256') {
        through('github', { 'X-Hub-Signature-256': `sha256=${sig}` });
      } else if (v.header === 'X-Hub-Signature' && algo === 'sha1') {
        // GitHub signs the whole form body for form deliveries (go-github FormPost).
        through('github', { 'X-Hub-Signature': `sha1=${sig}` }, v.body.inline?.startsWith('payload=') === true);
      } else if (v.header === 'X-Hub-Signature' && algo === 'sha256') {
        through('bitbucket-server', { 'X-Event-Key': 'repo:refs_changed', 'X-Hub-Signature': `sha256=${sig}` });
        through('bitbucket', { 'X-Hub-Signature': `sha256=${sig}` });
      } else if (v.header === 'X-Gitea-Signature') {
        through('gitea', { 'X-Gitea-Signature': sig });
        through('forgejo', { 'X-Gitea-Signature': sig });
      } else if (v.header === 'X-Gogs-Signature') {
        through('gogs', { 'X-Gogs-Signature': sig });
      } else {
        assert.fail(`no rule for vector header ${v.header}`);
      }
    });
  }

  for (const t of doc.token_checks) {
    test(`token check ${t.id}`, () => {
      const body = bodyOf(t.body);
      if (t.header === 'X-Gitlab-Token') {
        const result = getForge('gitlab').verify(jsonDelivery({ 'X-Gitlab-Token': t.header_value }, body), t.configured_secret);
        if (t.expected_valid_in_source) assert.deepEqual(result, { ok: true });
        // An empty token is no token (401); a wrong one is 403.
        else assert.deepEqual({ ok: result.ok, status: !result.ok && result.status }, { ok: false, status: t.header_value === '' ? 401 : 403 });
      } else {
        // X-Hook-UUID (a webhook id sent in clear) and drone's ?secret= query are not
        // authentication: a Bitbucket entry with a secret still wants X-Hub-Signature.
        const headers = t.header.startsWith('X-') ? { [t.header]: t.header_value } : {};
        const result = getForge('bitbucket').verify(jsonDelivery({ 'X-Event-Key': 'repo:push', ...headers }, body), t.configured_secret);
        assert.deepEqual({ ok: result.ok, status: !result.ok && result.status }, { ok: false, status: 401 });
      }
    });
  }
}
