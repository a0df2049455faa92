import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSettings } from '../../src/settings/load.ts';
import type { Settings } from '../../src/settings/types.ts';
import { tempDir, writeFile } from '../helpers/tmp.ts';

function load(text: string, env: NodeJS.ProcessEnv = {}, dir = tempDir().dir): { settings: Settings; dir: string } {
  const file = writeFile(dir, 'whauto.yaml', text);
  const result = loadSettings(file, env);
  const errors = result.findings.filter((f) => f.level === 'error');
  assert.deepEqual(errors, [], 'no errors expected');
  assert.ok(result.settings);
  return { settings: result.settings, dir };
}

test('loadSettings fills every default for a minimal entry', () => {
  const { settings, dir } = load('entries:\n  site:\n    secret: s\n    repodir: site\n');
  assert.deepEqual({ ...settings, entries: [] }, {
    file: join(dir, 'whauto.yaml'),
    listen: { host: '127.0.0.1', port: 5000 },
    webhookUrlPath: '/webhook',
    stateDir: join(dir, 'whauto-state'),
    logLevel: 'info',
    logFormat: 'text',
    maxBody: 25 * 1024 * 1024,
    workers: 1,
    trustProxy: [],
    shutdownTimeout: 60_000,
    keepRuns: 50,
    maxLog: 5 * 1024 * 1024,
    metrics: false,
    entries: [],
  });
  assert.deepEqual(settings.entries, [{
    name: 'site', provider: 'github', secret: 's', secretVars: [], repo: null, branches: ['main'], tags: false,
    repodir: join(dir, 'site'), cloneUrl: null, remote: 'origin', update: 'reset', submodules: true,
    gitBinary: 'git', sshKey: null, workdir: join(dir, 'site'), env: {}, timeout: 900_000,
    preCommands: [], commands: [], postCommands: [], onFailure: [], shared: [], keepReleases: 5, allowIps: [], notify: [], commitStatus: null, poll: null, webhook: true,
  }]);
});

test('loadSettings normalizes every top-level key', () => {
  const { settings } = load(`
listen: "[::1]:8080"
webhook_url_path: hooks/
state_dir: /var/lib/whauto
log_level: debug
log_format: json
max_body: 512kb
workers: 3
trust_proxy: [10.0.0.0/8, "::1"]
shutdown_timeout: 90
keep_runs: 7
max_log: 1MiB
metrics: true
entries: {}
`);
  assert.deepEqual({ ...settings, file: '' }, {
    file: '', listen: { host: '::1', port: 8080 }, webhookUrlPath: '/hooks', stateDir: '/var/lib/whauto',
    logLevel: 'debug', logFormat: 'json', maxBody: 524_288, workers: 3, trustProxy: ['10.0.0.0/8', '::1'],
    shutdownTimeout: 90_000, keepRuns: 7, maxLog: 1_048_576, metrics: true, entries: [],
  });
});

test('loadSettings normalizes entry keys: defaults, commands, env, paths', () => {
  const { settings, dir } = load(`
defaults:
  provider: gitlab
  timeout: 5m
  env: {SHARED: yes}
entries:
  api:
    secret: s
    repo: acme/api
    branch: [main, "release/*"]
    tags: "v*"
    repodir: /srv/api
    clone_url: git@example.com:acme/api.git
    remote: upstream
    update: ff-only
    submodules: false
    git_binary: /usr/bin/git
    ssh_key: keys/deploy
    workdir: web
    env: {PORT: 8080, VERSION: 1.10, DEBUG: false}
    pre_commands: echo before
    commands:
      - npm ci
      - [systemctl, reload, api]
      - {run: [make, -j, 4], timeout: 30s}
    post_commands: []
    on_failure:
      - logger failed
    allow_ips: [192.0.2.0/24]
  docs:
    secret: s
    provider: plain
    update: none
`);
  const [api, docs] = settings.entries;
  assert.deepEqual(api, {
    name: 'api', provider: 'gitlab', secret: 's', secretVars: [], repo: 'acme/api', branches: ['main', 'release/*'], tags: 'v*',
    repodir: '/srv/api', cloneUrl: 'git@example.com:acme/api.git', remote: 'upstream', update: 'ff-only',
    submodules: false, gitBinary: '/usr/bin/git', sshKey: join(dir, 'keys/deploy'), workdir: '/srv/api/web',
    env: { PORT: '8080', VERSION: '1.10', DEBUG: 'false' }, timeout: 300_000,
    preCommands: [{ run: 'echo before', timeout: null }],
    commands: [
      { run: 'npm ci', timeout: null },
      { run: ['systemctl', 'reload', 'api'], timeout: null },
      { run: ['make', '-j', '4'], timeout: 30_000 },
    ],
    postCommands: [], onFailure: [{ run: 'logger failed', timeout: null }], shared: [], keepReleases: 5, allowIps: ['192.0.2.0/24'],
    notify: [], commitStatus: null, poll: null, webhook: true,
  });
  // An entry's own env replaces the defaults' env (no merge), like every other key.
  assert.deepEqual(docs?.env, { SHARED: 'yes' });
  assert.equal(docs?.repodir, null);
  assert.equal(docs?.workdir, dir, 'without repodir, commands run in the settings folder');
  assert.equal(docs?.provider, 'plain');
});

test('loadSettings reads the secret from secret_env, secret_file and ${CREDENTIALS_DIRECTORY}', () => {
  const dir = tempDir().dir;
  writeFile(dir, 'hook.secret', 'from-file\n');
  writeFile(dir, 'cred', 'from-credentials\r\n');
  const { settings } = load(`
entries:
  a: {secret_env: HOOK_SECRET, update: none}
  b: {secret_file: hook.secret, update: none}
  c: {secret_file: "\${CREDENTIALS_DIRECTORY}/cred", update: none}
  d: {secret_file: $CREDENTIALS_DIRECTORY/cred, update: none}
  e: {secret: inline, update: none}
`, { HOOK_SECRET: 'from-env', CREDENTIALS_DIRECTORY: dir }, dir);
  assert.deepEqual(settings.entries.map((e) => e.secret), ['from-env', 'from-file', 'from-credentials', 'from-credentials', 'inline']);
});

test('a secret_file loses its trailing whitespace: newlines, CRLF, blank lines, spaces', () => {
  const dir = tempDir().dir;
  writeFile(dir, 'a', 's3cret\n\n');
  writeFile(dir, 'b', 's3cret \t\r\n');
  writeFile(dir, 'c', 's3cret');
  const { settings } = load(`
entries:
  a: {secret_file: a, update: none}
  b: {secret_file: b, update: none}
  c: {secret_file: c, update: none}
`, {}, dir);
  assert.deepEqual(settings.entries.map((e) => e.secret), ['s3cret', 's3cret', 's3cret']);
});

test('an entry with its own secret source ignores the defaults\' one', () => {
  const { settings } = load(`
defaults: {secret_env: SHARED}
entries:
  a: {update: none}
  b: {update: none, secret: own}
`, { SHARED: 'shared' });
  assert.deepEqual(settings.entries.map((e) => e.secret), ['shared', 'own']);
});

test('a legacy 0.0.x file loads into the same settings as its modern spelling', () => {
  const dir = tempDir().dir;
  const legacy = load(`
listen_ip: 0.0.0.0
listen_port: 8000
log_level: WARNING
webhook_url_path: /hooks
provider:
  name: gitea
  secret: s3cret
repositories:
  site:
    repo: acme/site
    repodir: /srv/site
    workdir: /srv/site/app
    submodules: false
    commands:
      - [git, log, -1]
  docs:
    repo: acme/docs
    branch: gh-pages
    repodir: /srv/docs
`, {}, dir).settings;
  const modern = load(`
listen: 0.0.0.0:8000
log_level: warn
webhook_url_path: /hooks
defaults:
  provider: gitea
  secret: s3cret
entries:
  site:
    repo: acme/site
    branch: master
    repodir: /srv/site
    workdir: /srv/site/app
    submodules: false
    commands:
      - [git, log, -1]
  docs:
    repo: acme/docs
    branch: gh-pages
    repodir: /srv/docs
`, {}, dir).settings;
  assert.deepEqual(legacy, modern);
  assert.deepEqual(legacy.entries[0]?.branches, ['master']);
});

test('YAML anchors and merge keys work for shared entry settings', () => {
  const { settings } = load(`
x-common: &common
  secret: s
  commands: [make]
entries:
  a: {<<: *common, repodir: /srv/a}
  b:
    <<: *common
    repodir: /srv/b
    commands: [make deploy]
`.replace('x-common', 'defaults'));
  assert.deepEqual(settings.entries.map((e) => e.commands.map((c) => c.run)), [['make'], ['make deploy']]);
});

test('legacy listen_ip may be IPv6 and listen_port alone keeps the default host', () => {
  assert.deepEqual(load('listen_ip: "::"\nlisten_port: 9000\nentries: {}\n').settings.listen, { host: '::', port: 9000 });
  assert.deepEqual(load('listen_port: 9000\nentries: {}\n').settings.listen, { host: '127.0.0.1', port: 9000 });
});

test('a branch that can never match a pushed branch is an error with its position (bad-branch)', () => {
  const dir = tempDir().dir;
  for (const branch of ['bad..branch', '-x', 'refs/heads/main', '"a b"']) {
    const file = writeFile(dir, 'whauto.yaml', `entries:\n  a: {update: none, branch: ${branch}}\n`);
    const f = loadSettings(file, {}).findings.find((x) => x.code === 'bad-branch');
    assert.ok(f, branch);
    assert.deepEqual([f.level, f.line, f.col], ['error', 2, 29], branch);
  }
  load('entries:\n  a: {update: none, branch: [main, "release/*", "feat/**", "v?"]}\n'); // names and globs that can match are fine
});

test('max_body and max_log of 0 are errors (bad-size): nothing could be delivered or logged', () => {
  const dir = tempDir().dir;
  for (const key of ['max_body', 'max_log']) {
    const file = writeFile(dir, 'whauto.yaml', `${key}: 0\nentries: {}\n`);
    const f = loadSettings(file, {}).findings.find((x) => x.code === 'bad-size');
    assert.ok(f, key);
    assert.deepEqual([f.level, f.line], ['error', 1], key);
  }
});

test('loadSettings normalizes shared paths (. parts and repeated slashes dropped, a trailing / kept) and keep_releases', () => {
  const { settings } = load('entries:\n  site:\n    secret: s\n    repodir: site\n    update: release\n    shared: [./.env, storage//logs/, config/./app.ini]\n    keep_releases: 3\n');
  assert.deepEqual(settings.entries[0]!.shared, ['.env', 'storage/logs/', 'config/app.ini']);
  assert.equal(settings.entries[0]!.keepReleases, 3);
});

test('poll: an entry with no provider and no secret has no webhook route and no no-auth warning; one with either has its route', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', [
    'defaults: {repodir: site}',
    'entries:',
    '  quiet: {poll: 1m}',
    '  signed: {poll: 1m, secret: s}',
    '  open: {poll: 60, provider: plain}',
    '  webhooks: {secret: s}',
    '',
  ].join('\n'));
  const { settings, findings } = loadSettings(file, {});
  assert.ok(settings);
  assert.deepEqual(settings.entries.map((e) => [e.name, e.poll, e.webhook]), [['quiet', 60_000, false], ['signed', 60_000, true], ['open', 60_000, true], ['webhooks', null, true]]);
  assert.deepEqual(findings.filter((f) => f.code === 'no-auth').map((f) => f.message.split("'")[1]), ['open']);
  assert.deepEqual(findings.filter((f) => f.code === 'poll').map((f) => f.message),
    ["entry 'quiet' asks its remote for new commits every 1m (±10%); it has no webhook route (no provider, no secret)",
      "entry 'signed' asks its remote for new commits every 1m (±10%)", "entry 'open' asks its remote for new commits every 1m (±10%)"]);
});
