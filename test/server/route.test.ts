import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PushEvent } from '../../src/forges/types.ts';
import { globMatch } from '../../src/model/glob.ts';
import { defaultBranch } from '../../src/model/deploys.ts';
import { route } from '../../src/server/route.ts';
import type { Entry } from '../../src/settings/types.ts';

const entry = (over: Partial<Entry> = {}): Entry => ({
  name: 'site', provider: 'github', secret: 's', repo: 'Acme/Site', branches: ['main', 'release/*'], tags: false,
  repodir: '/srv/site', cloneUrl: null, remote: 'origin', update: 'reset', submodules: true, gitBinary: 'git', sshKey: null,
  workdir: '/srv/site', env: {}, timeout: 60_000, preCommands: [], commands: [], postCommands: [], onFailure: [], allowIps: [], notify: [], commitStatus: null, ...over,
});

const push = (ref: string, over: Partial<PushEvent> = {}): PushEvent => ({
  forge: 'github', event: 'push', ref,
  branch: ref.startsWith('refs/heads/') ? ref.slice(11) : null, tag: ref.startsWith('refs/tags/') ? ref.slice(10) : null,
  before: null, after: null, deleted: false, repository: { fullName: 'acme/site', name: 'site', cloneUrls: [] },
  pusher: null, deliveryId: null, ...over,
});

test('globMatch: * stays within a path segment, ** crosses them, ? is one character', () => {
  assert.equal(globMatch('release/*', 'release/1.2'), true);
  assert.equal(globMatch('release/*', 'release/1/hotfix'), false);
  assert.equal(globMatch('release/**', 'release/1/hotfix'), true);
  assert.equal(globMatch('v?', 'v1'), true);
  assert.equal(globMatch('v?', 'v10'), false);
  assert.equal(globMatch('a.b', 'axb'), false, 'dots are literal');
  assert.equal(globMatch('main', 'main\nx'), false);
});

test('route: a listed branch or a glob match deploys that branch', () => {
  assert.deepEqual(route(entry(), push('refs/heads/main')), { target: { kind: 'branch', name: 'main' } });
  assert.deepEqual(route(entry(), push('refs/heads/release/2')), { target: { kind: 'branch', name: 'release/2' } });
});

test('route: another branch, a deletion, another repository are ignored with a reason', () => {
  assert.match((route(entry(), push('refs/heads/dev')) as { ignore: string }).ignore, /does not deploy branch 'dev'/);
  assert.match((route(entry(), push('refs/heads/main', { deleted: true })) as { ignore: string }).ignore, /branch deletion/);
  assert.match((route(entry(), push('refs/heads/main', { repository: { fullName: 'evil/site', name: 'site', cloneUrls: [] } })) as { ignore: string }).ignore, /repository 'evil\/site'/);
});

test('route: repositories compare case-insensitively; a bare repo name matches the name alone', () => {
  assert.ok('target' in route(entry({ repo: 'ACME/site' }), push('refs/heads/main')));
  assert.ok('target' in route(entry({ repo: 'site' }), push('refs/heads/main')));
  assert.ok('ignore' in route(entry({ repo: 'other' }), push('refs/heads/main')));
});

test('route: only a plain delivery may leave the repository out; another forge naming none is ignored', () => {
  const noRepo = { repository: { fullName: '', name: '', cloneUrls: [] } };
  assert.ok('target' in route(entry({ provider: 'plain' }), push('refs/heads/main', { forge: 'plain', ...noRepo })));
  assert.ok('ignore' in route(entry({ provider: 'bitbucket' }), push('refs/heads/main', { forge: 'bitbucket', ...noRepo })));
});

test('route: tags deploy only where tags is true or its glob matches', () => {
  assert.match((route(entry(), push('refs/tags/v1')) as { ignore: string }).ignore, /does not deploy tags/);
  assert.deepEqual(route(entry({ tags: true }), push('refs/tags/v1')), { target: { kind: 'tag', name: 'v1' } });
  assert.deepEqual(route(entry({ tags: 'v*' }), push('refs/tags/v1')), { target: { kind: 'tag', name: 'v1' } });
  assert.ok('ignore' in route(entry({ tags: 'v*' }), push('refs/tags/nightly')));
});

test('route: a plain delivery without a ref deploys the entry\'s first literal branch', () => {
  assert.deepEqual(route(entry(), push('', { forge: 'plain' })), { target: { kind: 'branch', name: 'main' } });
  assert.equal(defaultBranch(entry({ branches: ['release/*'] })), null);
  assert.ok('ignore' in route(entry({ branches: ['release/*'] }), push('', { forge: 'plain' })));
});
