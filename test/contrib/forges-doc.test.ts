// docs/forges.md names, per forge, the headers whauto checks and the forge-side settings
// `whauto init` prints; the headers are those of the real deliveries in ../shared/fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FORGE_SETUP } from '../../src/cli/forge-setup.ts';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/forges.md', import.meta.url)), 'utf8');
const SOURCES = fileURLToPath(new URL('../../../shared/fixtures/SOURCES.md', import.meta.url));

/** The headers SPEC section 4 names per forge: signature or token, event, delivery id. */
const HEADERS: Record<string, string[]> = {
  github: ['X-Hub-Signature-256', 'X-GitHub-Event', 'X-GitHub-Delivery'],
  gitlab: ['X-Gitlab-Token', 'X-Gitlab-Event', 'X-Gitlab-Event-UUID'],
  gitea: ['X-Gitea-Signature', 'X-Gitea-Event', 'X-Gitea-Delivery'],
  forgejo: ['X-Forgejo-Signature', 'X-Forgejo-Event', 'X-Forgejo-Delivery'],
  gogs: ['X-Gogs-Signature', 'X-Gogs-Event', 'X-Gogs-Delivery'],
  bitbucket: ['X-Hub-Signature', 'X-Event-Key', 'X-Request-UUID'],
  'bitbucket-server': ['X-Hub-Signature', 'X-Event-Key', 'X-Request-Id'],
};

test('docs/forges.md has a row per provider naming its signature, event and delivery headers', () => {
  for (const [provider, headers] of Object.entries(HEADERS)) {
    const row = DOC.split('\n').find((l) => l.startsWith(`| \`${provider}\` |`));
    assert.ok(row, `row for ${provider}`);
    for (const h of headers) assert.ok(row.includes(`\`${h}`), `${provider}: ${h}`);
  }
});

test('docs/forges.md says where to add each webhook and which events to pick, as whauto init prints it', () => {
  for (const [provider, setup] of Object.entries(FORGE_SETUP)) {
    assert.ok(DOC.includes(`provider: ${provider}`), `section for ${provider}`);
    if (provider === 'plain') continue;
    const where = setup.where.replace(/^(repository|project) → /, '');
    assert.ok(DOC.includes(where.split(' → ')[0]!), `${provider}: ${setup.where}`);
    assert.ok(DOC.includes(setup.events.replace(/ \(.*\)$/, '')), `${provider}: ${setup.events}`);
  }
});

test('every header docs/forges.md names for a forge appears in the fixtures\' SOURCES.md', (t) => {
  if (!existsSync(SOURCES)) {
    t.skip('../shared/fixtures is not here (a fresh clone): nothing to check against');
    return;
  }
  const sources = readFileSync(SOURCES, 'utf8').toLowerCase();
  for (const [provider, headers] of Object.entries(HEADERS)) {
    for (const h of headers) {
      // The delivery id headers of GitLab and Bitbucket Cloud are from the forges' docs quoted there.
      assert.ok(sources.includes(h.toLowerCase()), `${provider}: ${h} in SOURCES.md`);
    }
  }
});
