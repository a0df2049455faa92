// No verify reason and no parse error ever contains the expected signature or the secret
// (adnanh/webhook has the same test for its MAC errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { FORGES } from '../../src/forges/registry.ts';
import { jsonDelivery } from './delivery.ts';

const SECRET = 'leak-canary-secret-8d1f';
const BODY = JSON.stringify({ ref: 'refs/heads/main', secret: 'wrong-body-secret' });

test('verify reasons never contain the secret or any expected signature', () => {
  const expected = [
    SECRET,
    createHmac('sha256', SECRET).update(BODY).digest('hex'),
    createHmac('sha1', SECRET).update(BODY).digest('hex'),
  ];
  const wrong = 'f'.repeat(64);
  const headerSets: Record<string, string>[] = [
    {},
    { 'X-Hub-Signature-256': `sha256=${wrong}` },
    { 'X-Hub-Signature': `sha1=${'f'.repeat(40)}` },
    { 'X-Hub-Signature': `sha256=${wrong}`, 'X-Event-Key': 'repo:refs_changed' },
    { 'X-Gitea-Signature': wrong, 'X-Forgejo-Signature': wrong, 'X-Gogs-Signature': wrong },
    { 'X-Gitlab-Token': `${SECRET}x`, 'X-Webhook-Token': SECRET.slice(1), Authorization: 'Bearer nope' },
  ];
  let refusals = 0;
  for (const forge of Object.values(FORGES)) {
    for (const headers of headerSets) {
      const result = forge.verify(jsonDelivery(headers, BODY), SECRET);
      if (result.ok) continue;
      refusals++;
      for (const value of expected) assert.ok(!result.reason.includes(value), `${forge.name}: ${result.reason}`);
    }
  }
  assert.ok(refusals >= Object.keys(FORGES).length * 4, 'the refusals were exercised');
});

test('parse errors never contain payload values', () => {
  const canary = 'refs/heads/canary..value';
  const events: Record<string, Record<string, string>> = {
    github: { 'X-GitHub-Event': 'push' }, gitea: { 'X-Gitea-Event': 'push' }, forgejo: { 'X-Forgejo-Event': 'push' },
    gogs: { 'X-Gogs-Event': 'push' }, gitlab: { 'X-Gitlab-Event': 'Push Hook' }, plain: {},
  };
  for (const [name, headers] of Object.entries(events)) {
    const forge = FORGES[name as keyof typeof FORGES];
    const json = { ref: canary, repository: { full_name: 'o/r' }, project: { path_with_namespace: 'o/r' } };
    assert.throws(() => forge.parse(jsonDelivery(headers, JSON.stringify(json)), json),
      (e: unknown) => e instanceof Error && !e.message.includes('canary'), name);
  }
});
