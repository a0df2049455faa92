// Always-run verify table with payloads of our own: every forge accepts a correct signature or
// token and refuses missing (401) and wrong or malformed (403) ones, on the raw bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { getForge } from '../../src/forges/registry.ts';
import type { Delivery, VerifyResult } from '../../src/forges/types.ts';
import { formDelivery, jsonDelivery } from './delivery.ts';

const SECRET = 's3cret-for-tests';
const BODY = '{\n  "ref": "refs/heads/main",\n  "after": "1111111111111111111111111111111111111111"\n}\n';
const hex = (algo: string, secret: string, body: string | Buffer) => createHmac(algo, secret).update(body).digest('hex');
const status = (r: VerifyResult) => (r.ok ? 200 : r.status);

interface HmacForge {
  forge: string;
  header: string;
  prefix: string;
  extra?: Record<string, string>;
}
const HMAC_FORGES: HmacForge[] = [
  { forge: 'github', header: 'X-Hub-Signature-256', prefix: 'sha256=' },
  { forge: 'gitea', header: 'X-Gitea-Signature', prefix: '' },
  { forge: 'forgejo', header: 'X-Forgejo-Signature', prefix: '' },
  { forge: 'gogs', header: 'X-Gogs-Signature', prefix: '' },
  { forge: 'bitbucket', header: 'X-Hub-Signature', prefix: 'sha256=' },
  { forge: 'bitbucket-server', header: 'X-Hub-Signature', prefix: 'sha256=', extra: { 'X-Event-Key': 'repo:refs_changed' } },
];

for (const f of HMAC_FORGES) {
  const good = hex('sha256', SECRET, BODY);
  const verifyWith = (value: string | null, body = BODY, secret: string | null = SECRET) => {
    const headers: Record<string, string> = { ...f.extra, ...(value === null ? {} : { [f.header]: value }) };
    return status(getForge(f.forge).verify(jsonDelivery(headers, body), secret));
  };
  const cases: [string, string | null, number][] = [
    ['a correct signature → 200', f.prefix + good, 200],
    ['no signature header → 401', null, 401],
    ['an empty header → 401', '', 401],
    ['a wrong signature → 403', f.prefix + hex('sha256', 'other', BODY), 403],
    ['upper-case hex → 403', f.prefix + good.toUpperCase(), 403],
    ['a trailing space → 403', `${f.prefix}${good} `, 403],
    ['a NUL suffix → 403', `${f.prefix}${good}\0`, 403],
    ['a signature made with an empty secret → 403', f.prefix + hex('sha256', '', BODY), 403],
    ['a signature of the re-serialized body → 403', f.prefix + hex('sha256', SECRET, JSON.stringify(JSON.parse(BODY))), 403],
    ['a sha1 HMAC where sha256 is expected → 403', (f.prefix ? 'sha1=' : '') + hex('sha1', SECRET, BODY), 403],
    ['the bare hex without its prefix → 403', f.prefix ? good : `sha256=${good}`, 403],
  ];
  for (const [name, value, expected] of cases) {
    test(`${f.forge}.verify: ${name}`, () => assert.equal(verifyWith(value), expected));
  }
  test(`${f.forge}.verify: no secret → accepted unsigned`, () => assert.equal(verifyWith(null, BODY, null), 200));
  test(`${f.forge}.verify: a header sent twice → refused`, () => {
    const delivery = jsonDelivery({ ...f.extra }, BODY);
    delivery.headers[f.header.toLowerCase()] = [f.prefix + good, f.prefix + good] as unknown as string;
    assert.equal(status(getForge(f.forge).verify(delivery, SECRET)), 403);
  });
}

test('github.verify: X-Hub-Signature sha1= is used when the 256 header is absent', () => {
  const d = jsonDelivery({ 'X-Hub-Signature': `sha1=${hex('sha1', SECRET, BODY)}` }, BODY);
  assert.equal(status(getForge('github').verify(d, SECRET)), 200);
});

test('github.verify: a wrong X-Hub-Signature-256 is not rescued by a correct sha1 header', () => {
  const d = jsonDelivery({
    'X-Hub-Signature-256': `sha256=${hex('sha256', 'other', BODY)}`,
    'X-Hub-Signature': `sha1=${hex('sha1', SECRET, BODY)}`,
  }, BODY);
  assert.equal(status(getForge('github').verify(d, SECRET)), 403);
});

test('github.verify: a form delivery is verified over the whole raw body, not the payload value', () => {
  const form = `payload=${encodeURIComponent(BODY)}`;
  const ok = formDelivery({ 'X-Hub-Signature-256': `sha256=${hex('sha256', SECRET, form)}` }, form);
  const inner = formDelivery({ 'X-Hub-Signature-256': `sha256=${hex('sha256', SECRET, BODY)}` }, form);
  assert.equal(status(getForge('github').verify(ok, SECRET)), 200);
  assert.equal(status(getForge('github').verify(inner, SECRET)), 403);
});

for (const [forge, header] of [['gitea', 'X-Gitea-Signature'], ['forgejo', 'X-Forgejo-Signature'], ['gogs', 'X-Gogs-Signature']] as const) {
  test(`${forge}.verify: a form delivery is verified over the payload value, not the form body`, () => {
    const form = `payload=${encodeURIComponent(BODY)}`;
    const ok = formDelivery({ [header]: hex('sha256', SECRET, BODY) }, form);
    const whole = formDelivery({ [header]: hex('sha256', SECRET, form) }, form);
    assert.equal(status(getForge(forge).verify(ok, SECRET)), 200);
    assert.equal(status(getForge(forge).verify(whole, SECRET)), 403);
  });
}

test('gitea.verify: a delivery carrying only GitHub headers is refused as unsigned (401)', () => {
  const d = jsonDelivery({
    'X-GitHub-Event': 'push',
    'X-Hub-Signature-256': `sha256=${hex('sha256', SECRET, BODY)}`,
    'X-Hub-Signature': `sha1=${hex('sha1', SECRET, BODY)}`,
  }, BODY);
  assert.equal(status(getForge('gitea').verify(d, SECRET)), 401);
});

test('forgejo.verify: falls back to X-Gitea-Signature and prefers X-Forgejo-Signature', () => {
  const good = hex('sha256', SECRET, BODY);
  const bad = hex('sha256', 'other', BODY);
  const v = (h: Record<string, string>) => status(getForge('forgejo').verify(jsonDelivery(h, BODY), SECRET));
  assert.equal(v({ 'X-Gitea-Signature': good }), 200);
  assert.equal(v({ 'X-Forgejo-Signature': good, 'X-Gitea-Signature': bad }), 200);
  assert.equal(v({ 'X-Forgejo-Signature': bad, 'X-Gitea-Signature': good }), 403);
});

test('gogs.verify: older Gogs body "secret" is compared only when the signature header is absent', () => {
  const v = (body: string, h: Record<string, string> = {}) => status(getForge('gogs').verify(jsonDelivery(h, body), SECRET));
  assert.equal(v(JSON.stringify({ secret: SECRET, ref: 'refs/heads/main' })), 200);
  assert.equal(v(JSON.stringify({ secret: `${SECRET}x` })), 403);
  assert.equal(v(JSON.stringify({ secret: 42 })), 403);
  assert.equal(v(JSON.stringify({ ref: 'refs/heads/main' })), 401);
  assert.equal(v('not json'), 401);
  const withSecret = JSON.stringify({ secret: SECRET });
  assert.equal(v(withSecret, { 'X-Gogs-Signature': hex('sha256', 'other', withSecret) }), 403);
});

test('bitbucket-server.verify: diagnostics:ping is accepted unsigned, other events are not', () => {
  const v = (key: string) => status(getForge('bitbucket-server').verify(jsonDelivery({ 'X-Event-Key': key }, '{"test":true}'), SECRET));
  assert.equal(v('diagnostics:ping'), 200);
  assert.equal(v('repo:refs_changed'), 401);
});

test('gitlab.verify: X-Gitlab-Token must equal the secret exactly', () => {
  const v = (token: string | null, secret: string | null = SECRET) =>
    status(getForge('gitlab').verify(jsonDelivery(token === null ? {} : { 'X-Gitlab-Token': token }, BODY), secret));
  assert.equal(v(SECRET), 200);
  assert.equal(v(null), 401);
  assert.equal(v(''), 401);
  assert.equal(v(SECRET.slice(0, -1)), 403, 'prefix');
  assert.equal(v(`${SECRET}x`), 403, 'suffix');
  assert.equal(v(` ${SECRET}`), 403, 'leading space');
  assert.equal(v(SECRET.toUpperCase()), 403, 'case');
  assert.equal(v(null, null), 200, 'no secret configured');
});

test('plain.verify: X-Webhook-Token or Authorization: Bearer, nothing else', () => {
  const v = (h: Record<string, string>, secret: string | null = SECRET) => status(getForge('plain').verify(jsonDelivery(h, ''), secret));
  assert.equal(v({ 'X-Webhook-Token': SECRET }), 200);
  assert.equal(v({ Authorization: `Bearer ${SECRET}` }), 200);
  assert.equal(v({ Authorization: `bearer ${SECRET}` }), 200);
  assert.equal(v({}), 401);
  assert.equal(v({ Authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` }), 401);
  assert.equal(v({ 'X-Webhook-Token': 'wrong' }), 403);
  assert.equal(v({ Authorization: 'Bearer wrong' }), 403);
  assert.equal(v({ 'X-Webhook-Token': `${SECRET}x` }), 403);
  assert.equal(v({}, null), 200, 'no secret configured');
});

test('a signature without its sha256= prefix is refused with 403 saying what the header must hold', () => {
  const r = getForge('github').verify(jsonDelivery({ 'X-Hub-Signature-256': hex('sha256', SECRET, BODY) }, BODY), SECRET);
  assert.deepEqual(r, { ok: false, status: 403, reason: "X-Hub-Signature-256 must be 'sha256=' and the hex HMAC" });
});
