// Always-run parse tests with small payloads of our own, one group per forge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getForge } from '../../src/forges/registry.ts';
import type { ParseResult, PushEvent } from '../../src/forges/types.ts';
import { PayloadError } from '../../src/forges/types.ts';
import { jsonDelivery } from './delivery.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

function parse(forge: string, headers: Record<string, string>, json: Record<string, unknown> | string): ParseResult {
  const body = typeof json === 'string' ? json : JSON.stringify(json);
  const obj = typeof json === 'string' ? (json === '' ? {} : JSON.parse(json)) : json;
  return getForge(forge).parse(jsonDelivery(headers, body), obj);
}
function events(result: ParseResult): PushEvent[] {
  assert.equal(result.kind, 'push');
  return result.kind === 'push' ? result.events : [];
}
function only(result: ParseResult): PushEvent {
  const list = events(result);
  assert.equal(list.length, 1);
  return list[0]!;
}
const refused = (fn: () => unknown, pattern?: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof PayloadError && (pattern === undefined || pattern.test(e.message)));

// GitHub-shaped payloads (GitHub, Gitea, Forgejo, Gogs)
const ghPush = (extra: Record<string, unknown> = {}) => ({
  ref: 'refs/heads/main', before: A, after: B,
  repository: { name: 'site', full_name: 'acme/site', clone_url: 'https://example.com/acme/site.git', ssh_url: 'git@example.com:acme/site.git' },
  pusher: { name: 'octo', email: 'o@example.com' },
  ...extra,
});

test('github.parse: a branch push becomes one event with every field', () => {
  const e = only(parse('github', { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': 'd-1' }, ghPush()));
  assert.deepEqual(e, {
    forge: 'github', event: 'push', ref: 'refs/heads/main', branch: 'main', tag: null, before: A, after: B, deleted: false,
    repository: { fullName: 'acme/site', name: 'site', cloneUrls: ['https://example.com/acme/site.git', 'git@example.com:acme/site.git'] },
    pusher: 'octo', deliveryId: 'd-1',
  });
});

test('github.parse: tag pushes and deletions are pushes with tag / deleted set', () => {
  const t = only(parse('github', { 'X-GitHub-Event': 'push' }, ghPush({ ref: 'refs/tags/v2' })));
  assert.deepEqual([t.branch, t.tag, t.deleted], [null, 'v2', false]);
  const d = only(parse('github', { 'X-GitHub-Event': 'push' }, ghPush({ after: Z, deleted: true })));
  assert.equal(d.deleted, true);
  const z = only(parse('github', { 'X-GitHub-Event': 'push' }, ghPush({ after: Z })));
  assert.equal(z.deleted, true, 'after = zeros is a deletion even without the flag');
});

test('github.parse: ping and other events are ignored with a reason', () => {
  assert.deepEqual(parse('github', { 'X-GitHub-Event': 'ping' }, { zen: 'x' }), { kind: 'ignore', event: 'ping', reason: 'ping' });
  assert.deepEqual(parse('github', { 'X-GitHub-Event': 'pull_request' }, {}),
    { kind: 'ignore', event: 'pull_request', reason: "event 'pull_request' is not a push" });
});

test('github.parse: an event name with control characters is ignored, shown with them as ?', () => {
  const r = parse('github', { 'X-GitHub-Event': 'x\u001b[31m' }, {});
  assert.deepEqual(r, { kind: 'ignore', event: 'x?[31m', reason: "event 'x?[31m' is not a push" });
});

test('github.parse: older payloads without full_name use owner + name', () => {
  const json = ghPush({ repository: { name: 'rebol', owner: { name: 'onetom' }, url: 'https://github.com/onetom/rebol' } });
  const e = only(parse('github', { 'X-GitHub-Event': 'push' }, json));
  assert.equal(e.repository.fullName, 'onetom/rebol');
  assert.deepEqual(e.repository.cloneUrls, ['https://github.com/onetom/rebol']);
});

test('github.parse: bad values are PayloadErrors', () => {
  const h = { 'X-GitHub-Event': 'push' };
  refused(() => parse('github', {}, ghPush()), /X-GitHub-Event/);
  refused(() => parse('github', h, ghPush({ ref: 42 })), /^ref/);
  refused(() => parse('github', h, ghPush({ ref: ['refs/heads/main'] })), /^ref/);
  refused(() => parse('github', h, ghPush({ ref: 'refs/heads/--upload-pack=x' })), /^ref/);
  refused(() => parse('github', h, ghPush({ ref: 'refs/pull/1/head' })), /^ref/);
  refused(() => parse('github', h, ghPush({ before: 'HEAD~1' })), /^before/);
  refused(() => parse('github', h, ghPush({ after: '--exec=x' })), /^after/);
  refused(() => parse('github', h, ghPush({ after: 123 })), /^after/);
  refused(() => parse('github', h, ghPush({ repository: { name: 'x' } })), /repository/);
  refused(() => parse('github', h, ghPush({ repository: { full_name: 7 } })), /repository.full_name/);
});

test('gitea.parse: push is read, create/delete are not pushes, GitHub headers alone are not read', () => {
  const e = only(parse('gitea', { 'X-Gitea-Event': 'push', 'X-Gitea-Delivery': 'g-1' }, ghPush({ pusher: { login: 'gitea-user', username: 'gitea-user' } })));
  assert.deepEqual([e.forge, e.branch, e.pusher, e.deliveryId], ['gitea', 'main', 'gitea-user', 'g-1']);
  assert.equal(parse('gitea', { 'X-Gitea-Event': 'delete' }, { ref: 'old', ref_type: 'branch' }).kind, 'ignore');
  assert.equal(parse('gitea', { 'X-Gitea-Event': 'create' }, { ref: 'v1', ref_type: 'tag' }).kind, 'ignore');
  refused(() => parse('gitea', { 'X-GitHub-Event': 'push' }, ghPush()), /X-Gitea-Event/);
});

test('forgejo.parse: prefers X-Forgejo-* and falls back to X-Gitea-*', () => {
  const own = only(parse('forgejo', { 'X-Forgejo-Event': 'push', 'X-Gitea-Event': 'issues', 'X-Forgejo-Delivery': 'f-1', 'X-Gitea-Delivery': 'g-1' }, ghPush()));
  assert.deepEqual([own.forge, own.deliveryId], ['forgejo', 'f-1']);
  const fallback = only(parse('forgejo', { 'X-Gitea-Event': 'push', 'X-Gitea-Delivery': 'g-1' }, ghPush()));
  assert.equal(fallback.deliveryId, 'g-1');
  assert.equal(parse('forgejo', { 'X-Forgejo-Event': 'issues', 'X-Gitea-Event': 'push' }, {}).kind, 'ignore');
  refused(() => parse('forgejo', { 'X-GitHub-Event': 'push' }, ghPush()), /X-Forgejo-Event/);
});

test('gogs.parse: push with a deletion (after = zeros), other events ignored', () => {
  const e = only(parse('gogs', { 'X-Gogs-Event': 'push', 'X-Gogs-Delivery': 'o-1' }, ghPush({ after: Z, pusher: { username: 'alice' } })));
  assert.deepEqual([e.forge, e.deleted, e.pusher, e.deliveryId], ['gogs', true, 'alice', 'o-1']);
  assert.equal(parse('gogs', { 'X-Gogs-Event': 'delete' }, {}).kind, 'ignore');
  refused(() => parse('gogs', {}, ghPush()), /X-Gogs-Event/);
});

// GitLab
const glPush = (extra: Record<string, unknown> = {}) => ({
  object_kind: 'push', event_name: 'push', ref: 'refs/heads/main', before: A, after: B, user_username: 'jsmith', user_name: 'John Smith',
  project: { name: 'Site', path_with_namespace: 'group/sub/site', git_http_url: 'https://gl.example.com/group/sub/site.git', git_ssh_url: 'ssh://git@gl.example.com:2222/group/sub/site.git' },
  ...extra,
});

test('gitlab.parse: Push Hook with subgroups, username and event UUID', () => {
  const e = only(parse('gitlab', { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Event-UUID': 'u-1' }, glPush()));
  assert.deepEqual(e.repository, {
    fullName: 'group/sub/site', name: 'site',
    cloneUrls: ['https://gl.example.com/group/sub/site.git', 'ssh://git@gl.example.com:2222/group/sub/site.git'],
  });
  assert.deepEqual([e.event, e.branch, e.pusher, e.deliveryId, e.deleted], ['Push Hook', 'main', 'jsmith', 'u-1', false]);
});

test('gitlab.parse: deletion is after = zeros; tag pushes and system hooks push / tag_push are pushes', () => {
  assert.equal(only(parse('gitlab', { 'X-Gitlab-Event': 'Push Hook' }, glPush({ after: Z }))).deleted, true);
  const tag = only(parse('gitlab', { 'X-Gitlab-Event': 'Tag Push Hook' }, glPush({ object_kind: 'tag_push', ref: 'refs/tags/v1', after: Z })));
  assert.deepEqual([tag.tag, tag.deleted], ['v1', true]);
  assert.equal(only(parse('gitlab', { 'X-Gitlab-Event': 'System Hook' }, glPush())).event, 'System Hook');
  assert.equal(only(parse('gitlab', { 'X-Gitlab-Event': 'System Hook' }, glPush({ event_name: 'tag_push', ref: 'refs/tags/v1' }))).tag, 'v1');
});

test('gitlab.parse: other hooks and other system hook events are ignored', () => {
  assert.deepEqual(parse('gitlab', { 'X-Gitlab-Event': 'Merge Request Hook' }, {}),
    { kind: 'ignore', event: 'Merge Request Hook', reason: "event 'Merge Request Hook' is not a push" });
  const r = parse('gitlab', { 'X-Gitlab-Event': 'System Hook' }, { event_name: 'repository_update', changes: [] });
  assert.equal(r.kind, 'ignore');
  refused(() => parse('gitlab', {}, glPush()), /X-Gitlab-Event/);
  refused(() => parse('gitlab', { 'X-Gitlab-Event': 'Push Hook' }, glPush({ ref: 5 })), /^ref/);
});

test('gitlab.parse: very old payloads derive the path from repository URLs', () => {
  const json = { ref: 'refs/heads/main', before: A, after: B, repository: { name: 'Diaspora', url: 'git@example.com:mike/diaspora.git' } };
  assert.equal(only(parse('gitlab', { 'X-Gitlab-Event': 'Push Hook' }, json)).repository.fullName, 'mike/diaspora');
});

// Bitbucket Cloud
const bbChange = (type: string, name: string, hashNew: string | null, hashOld: string | null) => ({
  new: hashNew === null ? null : { type, name, target: { hash: hashNew } },
  old: hashOld === null ? null : { type, name, target: { hash: hashOld } },
});
const bbPush = (changes: unknown[]) => ({
  actor: { nickname: 'emma', display_name: 'Emma' },
  repository: { full_name: 'team/repo', name: 'Repo', links: { html: { href: 'https://bitbucket.org/team/repo' } } },
  push: { changes },
});

test('bitbucket.parse: each change is its own event; new null is a deletion; tags by new.type', () => {
  const list = events(parse('bitbucket', { 'X-Event-Key': 'repo:push', 'X-Request-UUID': 'r-1' }, bbPush([
    bbChange('branch', 'main', B, A), bbChange('branch', 'old', null, A), bbChange('tag', 'v1', B, null),
  ])));
  assert.deepEqual(list.map((e) => [e.ref, e.before, e.after, e.deleted]), [
    ['refs/heads/main', A, B, false], ['refs/heads/old', A, null, true], ['refs/tags/v1', null, B, false],
  ]);
  assert.deepEqual(list[0]!.repository, { fullName: 'team/repo', name: 'repo', cloneUrls: ['https://bitbucket.org/team/repo.git', 'git@bitbucket.org:team/repo.git'] });
  assert.deepEqual([list[0]!.pusher, list[0]!.deliveryId], ['emma', 'r-1']);
});

test('bitbucket.parse: other events ignored; bad changes, a missing header and the legacy POST service refused', () => {
  assert.equal(parse('bitbucket', { 'X-Event-Key': 'pullrequest:created' }, {}).kind, 'ignore');
  assert.equal(parse('bitbucket', { 'X-Event-Key': 'repo:push' }, bbPush([])).kind, 'ignore');
  refused(() => parse('bitbucket', { 'X-Event-Key': 'repo:push' }, bbPush([bbChange('named_branch', 'x', B, A)])), /type/);
  refused(() => parse('bitbucket', { 'X-Event-Key': 'repo:push' }, bbPush([{ new: null, old: null }])), /neither/);
  refused(() => parse('bitbucket', { 'X-Event-Key': 'repo:push' }, bbPush([bbChange('branch', 'a..b', B, A)])), /new.name/);
  refused(() => parse('bitbucket', { 'X-Event-Key': 'repo:push' }, { push: {} }), /push.changes/);
  refused(() => parse('bitbucket', {}, bbPush([])), /X-Event-Key/);
  refused(() => parse('bitbucket', {}, { canon_url: 'https://bitbucket.org', commits: [], repository: {} }), /legacy/);
});

// Bitbucket Server
const bbsPush = (changes: unknown[]) => ({
  eventKey: 'repo:refs_changed',
  actor: { name: 'jcitizen', displayName: 'Jane' },
  repository: {
    slug: 'my-repo', project: { key: 'PRJ' },
    links: { clone: [{ name: 'ssh', href: 'ssh://git@bbs.local:7999/prj/my-repo.git' }, { name: 'http', href: 'https://bbs.local/scm/prj/my-repo.git' }] },
  },
  changes,
});

test('bitbucket-server.parse: each change is an event; DELETE is a deletion; http clone URL first', () => {
  const list = events(parse('bitbucket-server', { 'X-Event-Key': 'repo:refs_changed', 'X-Request-Id': 'q-1' }, bbsPush([
    { ref: { id: 'refs/heads/main', type: 'BRANCH' }, refId: 'refs/heads/main', fromHash: A, toHash: B, type: 'UPDATE' },
    { refId: 'refs/heads/gone', fromHash: A, toHash: Z, type: 'DELETE' },
    { ref: { id: 'refs/tags/v1', type: 'TAG' }, fromHash: Z, toHash: B, type: 'ADD' },
  ])));
  assert.deepEqual(list.map((e) => [e.ref, e.deleted]), [['refs/heads/main', false], ['refs/heads/gone', true], ['refs/tags/v1', false]]);
  assert.deepEqual(list[0]!.repository, {
    fullName: 'PRJ/my-repo', name: 'my-repo', cloneUrls: ['https://bbs.local/scm/prj/my-repo.git', 'ssh://git@bbs.local:7999/prj/my-repo.git'],
  });
  assert.deepEqual([list[0]!.pusher, list[0]!.deliveryId], ['jcitizen', 'q-1']);
});

test('bitbucket-server.parse: ping and other events ignored; bad changes refused', () => {
  assert.deepEqual(parse('bitbucket-server', { 'X-Event-Key': 'diagnostics:ping' }, { test: true }), { kind: 'ignore', event: 'diagnostics:ping', reason: 'ping' });
  assert.equal(parse('bitbucket-server', { 'X-Event-Key': 'pr:opened' }, {}).kind, 'ignore');
  const h = { 'X-Event-Key': 'repo:refs_changed' };
  refused(() => parse('bitbucket-server', h, bbsPush([{ refId: 'refs/heads/x', fromHash: A, toHash: B, type: 'MOVE' }])), /type/);
  refused(() => parse('bitbucket-server', h, bbsPush([{ refId: 'refs/heads/x y', fromHash: A, toHash: B, type: 'ADD' }])), /refId/);
  refused(() => parse('bitbucket-server', h, bbsPush([{ refId: 'refs/heads/x', fromHash: 'nope', toHash: B, type: 'ADD' }])), /fromHash/);
  refused(() => parse('bitbucket-server', {}, bbsPush([])), /X-Event-Key/);
});

// plain
test('plain.parse: an empty body is one event with ref "" (the entry\'s own branch)', () => {
  const e = only(parse('plain', {}, ''));
  assert.deepEqual(e, {
    forge: 'plain', event: 'push', ref: '', branch: null, tag: null, before: null, after: null, deleted: false,
    repository: { fullName: '', name: '', cloneUrls: [] }, pusher: null, deliveryId: null,
  });
});

test('plain.parse: ref as full ref or bare branch name, with after, repository and pusher', () => {
  const bare = only(parse('plain', {}, { ref: 'staging', after: B, repository: 'acme/site', pusher: 'ci' }));
  assert.deepEqual([bare.ref, bare.branch, bare.after, bare.repository.fullName, bare.repository.name, bare.pusher],
    ['refs/heads/staging', 'staging', B, 'acme/site', 'site', 'ci']);
  const tag = only(parse('plain', {}, { ref: 'refs/tags/v3', repository: { full_name: 'acme/site' } }));
  assert.deepEqual([tag.tag, tag.repository.fullName], ['v3', 'acme/site']);
});

test('plain.parse: bad values are PayloadErrors', () => {
  refused(() => parse('plain', {}, { ref: 7 }), /^ref/);
  refused(() => parse('plain', {}, { ref: '-x' }), /^ref/);
  refused(() => parse('plain', {}, { ref: 'refs/pull/1' }), /^ref/);
  refused(() => parse('plain', {}, { after: 'main' }), /^after/);
  refused(() => parse('plain', {}, { repository: 5 }), /^repository/);
});
