// The notify and commit_status keys: what they load into, and every problem `check` reports
// about them, each with its code and position, none showing a url or token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../src/settings/load.ts';
import { formatFinding } from '../../src/settings/finding.ts';
import { tempDir, writeFile } from '../helpers/tmp.ts';

const ENTRY = 'entries:\n  site:\n    secret: s\n    repodir: /srv/site\n';

interface Case {
  name: string;
  /** Lines under the entry (indented 4). */
  yaml: string;
  level: 'error' | 'warning';
  code: string;
  line: number;
  /** The text the finding points at (its first character), on that line. */
  at: string;
  env?: NodeJS.ProcessEnv;
  provider?: string;
}

const CASES: Case[] = [
  { name: 'notify that is not a list', yaml: 'notify: https://example.org', level: 'error', code: 'type', line: 5, at: 'https://example.org' },
  { name: 'a target that is not a mapping', yaml: 'notify:\n      - https://example.org', level: 'error', code: 'type', line: 6, at: 'https://example.org' },
  { name: 'an unknown format', yaml: 'notify:\n      - {url: "https://example.org/x", format: teams}', level: 'error', code: 'unknown-format', line: 6, at: 'teams' },
  { name: 'an unknown on value', yaml: 'notify:\n      - url: https://example.org/x\n        on: [failed, exploded]', level: 'error', code: 'unknown-event', line: 7, at: '[failed, exploded]' },
  { name: 'an unknown key in a target', yaml: 'notify:\n      - url: https://example.org/x\n        fromat: slack', level: 'error', code: 'unknown-key', line: 7, at: 'fromat:' },
  { name: 'a target without url', yaml: 'notify:\n      - format: slack', level: 'error', code: 'missing-url', line: 6, at: 'format: slack' },
  { name: 'url and url_env both', yaml: 'notify:\n      - url: https://example.org/x\n        url_env: HOOK', level: 'error', code: 'url-conflict', line: 7, at: 'url_env:', env: { HOOK: 'https://example.org/y' } },
  { name: 'a url that is not http(s)', yaml: 'notify:\n      - url: ftp://example.org/x', level: 'error', code: 'bad-url', line: 6, at: 'ftp://example.org/x' },
  { name: 'a url that is not a URL', yaml: 'notify:\n      - url: hooks.slack.com/services/x', level: 'error', code: 'bad-url', line: 6, at: 'hooks.slack.com/services/x' },
  { name: 'a url_env holding no http(s) URL', yaml: 'notify:\n      - url_env: HOOK', level: 'error', code: 'bad-url', line: 6, at: 'HOOK', env: { HOOK: 'file:///x' } },
  { name: 'a url_env that is not set', yaml: 'notify:\n      - url_env: NO_SUCH_HOOK', level: 'error', code: 'secret-env-unset', line: 6, at: 'NO_SUCH_HOOK' },
  { name: 'a url_file that cannot be read', yaml: 'notify:\n      - url_file: missing.url', level: 'error', code: 'secret-file-unreadable', line: 6, at: 'missing.url' },
  { name: 'matrix without a token', yaml: 'notify:\n      - {url: "https://m.example.org/_matrix/client/v3/rooms/!r:example.org", format: matrix}', level: 'error', code: 'missing-token', line: 6, at: 'matrix}' },
  { name: 'a matrix url that is not a room\'s', yaml: 'notify:\n      - {url: "https://m.example.org/room", format: matrix, token_env: MT}', level: 'error', code: 'bad-url', line: 6, at: '"https://m.example.org/room"', env: { MT: 't' } },
  { name: 'a token_env that is not set', yaml: 'notify:\n      - {url: "https://ntfy.sh/x", format: ntfy, token_env: NO_SUCH_TOKEN}', level: 'error', code: 'secret-env-unset', line: 6, at: 'NO_SUCH_TOKEN}' },
  { name: 'a missing token_file', yaml: 'notify:\n      - {url: "https://ntfy.sh/x", format: ntfy, token_file: missing.token}', level: 'error', code: 'secret-file-unreadable', line: 6, at: 'missing.token' },
  { name: 'token_file and token_env both', yaml: 'notify:\n      - {url: "https://ntfy.sh/x", format: ntfy, token_file: t, token_env: T}', level: 'error', code: 'token-conflict', line: 6, at: 'token_env: T}', env: { T: 'x' } },
  { name: 'plain http to another host', yaml: 'notify:\n      - url: http://hooks.example.org/x', level: 'warning', code: 'insecure-url', line: 6, at: 'http://hooks.example.org/x' },
  { name: 'a token for slack', yaml: 'notify:\n      - {url: "https://hooks.slack.com/services/x", format: slack, token_env: T}', level: 'warning', code: 'token-unused', line: 6, at: 'token_env: T}', env: { T: 'x' } },
  { name: 'commit_status that is not a mapping', yaml: 'commit_status: yes', level: 'error', code: 'type', line: 5, at: 'yes' },
  { name: 'commit_status without a token', yaml: 'commit_status: {context: deploy}', level: 'error', code: 'missing-token', line: 5, at: '{context: deploy}' },
  { name: 'an unknown key in commit_status', yaml: 'commit_status: {token_env: T, contxt: deploy}', level: 'error', code: 'unknown-key', line: 5, at: 'contxt:', env: { T: 'x' } },
  { name: 'commit_status token_env not set', yaml: 'commit_status: {token_env: NO_SUCH_TOKEN}', level: 'error', code: 'secret-env-unset', line: 5, at: 'NO_SUCH_TOKEN' },
  { name: 'an api_url that is not http(s)', yaml: 'commit_status: {token_env: T, api_url: "git@example.org:x"}', level: 'error', code: 'bad-url', line: 5, at: '"git@example.org:x"', env: { T: 'x' } },
  { name: 'an api_url in plain http to another host', yaml: 'commit_status: {token_env: T, api_url: "http://ghe.example.org/api/v3"}', level: 'warning', code: 'insecure-url', line: 5, at: '"http://ghe.example.org/api/v3"', env: { T: 'x' } },
  { name: 'commit_status for gogs', yaml: 'commit_status: {token_env: T}', level: 'warning', code: 'no-status-api', line: 5, at: '{token_env: T}', env: { T: 'x' }, provider: 'gogs' },
  { name: 'commit_status for plain', yaml: 'commit_status: {token_env: T}', level: 'warning', code: 'no-status-api', line: 5, at: '{token_env: T}', env: { T: 'x' }, provider: 'plain' },
];

for (const c of CASES) {
  test(`loadSettings reports ${c.level} '${c.code}' at line ${c.line} for ${c.name}`, () => {
    const dir = tempDir().dir;
    const provider = c.provider ? `    provider: ${c.provider}\n` : '';
    const text = `${ENTRY}    ${c.yaml}\n${provider}`;
    const file = writeFile(dir, 'whauto.yaml', text);
    const col = text.split('\n')[c.line - 1]!.indexOf(c.at) + 1;
    assert.ok(col > 0, `'${c.at}' is on line ${c.line}`);
    const { settings, findings } = loadSettings(file, c.env ?? {});
    const hit = findings.find((f) => f.code === c.code && f.level === c.level);
    assert.ok(hit, `expected ${c.code}; got:\n${findings.map(formatFinding).join('\n')}`);
    assert.deepEqual([hit.line, hit.col], [c.line, col], formatFinding(hit));
    assert.equal(settings === null, c.level === 'error', 'settings are null exactly when there is an error');
  });
}

test('no notify finding shows a url or a token', () => {
  const dir = tempDir().dir;
  writeFile(dir, 'wide.token', 'file-token-c41\n', 0o644);
  const file = writeFile(dir, 'whauto.yaml', `${ENTRY}    notify:
      - {url: "http://hooks.example.org/services/url-secret-1", format: teams}
      - {url: "ftp://x/url-secret-2"}
      - {url_env: HOOK, format: ntfy, token_file: wide.token}
      - {url: "https://hooks.slack.com/url-secret-4", format: slack, token_env: TOK}
    commit_status: {token_env: TOK, api_url: "http://ghe.example.org/url-secret-5"}
`);
  const { findings } = loadSettings(file, { HOOK: 'gopher://url-secret-3', TOK: 'env-token-9b2' });
  const all = findings.map(formatFinding).join('\n');
  assert.deepEqual(findings.filter((f) => f.level !== 'note').map((f) => f.code).sort(),
    ['insecure-url', 'insecure-url', 'nothing-to-clone', 'bad-url', 'bad-url', 'secret-file-readable', 'token-unused', 'unknown-format'].sort(), all);
  for (const secret of ['url-secret', 'file-token-c41', 'env-token-9b2']) assert.ok(!all.includes(secret), `${secret} in:\n${all}`);
});

test('notify and commit_status load into their settings; an entry\'s notify replaces the defaults\', and commit_status: null turns the defaults\' off', () => {
  const dir = tempDir().dir;
  writeFile(dir, 'matrix.token', 'syt_token\n');
  const file = writeFile(dir, 'whauto.yaml', `
defaults:
  notify:
    - url: https://hooks.slack.com/services/T/B/X
      format: slack
  commit_status: {token_env: GH_TOKEN}
entries:
  site:
    secret: s
    repodir: /srv/site
  api:
    secret: s
    repodir: /srv/api
    notify:
      - {url_env: HOOK, on: [started, rolled back]}
      - url: https://m.example.org/_matrix/client/v3/rooms/!r:example.org
        format: matrix
        token_file: matrix.token
        on: failed
    commit_status: {token_env: GH_TOKEN, context: deploy/api, api_url: "https://ghe.example.org/api/v3/", target_url: "https://ci.example.org"}
  quiet:
    secret: s
    repodir: /srv/quiet
    notify: []
    commit_status: null
`);
  const { settings, findings } = loadSettings(file, { GH_TOKEN: 'gh-token', HOOK: 'https://example.org/hook' });
  assert.ok(settings, findings.map(formatFinding).join('\n'));
  const [site, api, quiet] = settings.entries;
  assert.deepEqual(site!.notify, [{ format: 'slack', url: 'https://hooks.slack.com/services/T/B/X', on: ['succeeded', 'failed', 'timed out'], token: null }]);
  assert.deepEqual(site!.commitStatus, { token: 'gh-token', context: 'whauto/site', apiUrl: null, targetUrl: null });
  assert.deepEqual(api!.notify, [
    { format: 'json', url: 'https://example.org/hook', on: ['started', 'rolled back'], token: null },
    { format: 'matrix', url: 'https://m.example.org/_matrix/client/v3/rooms/!r:example.org', on: ['failed'], token: 'syt_token' },
  ]);
  assert.deepEqual(api!.commitStatus, { token: 'gh-token', context: 'deploy/api', apiUrl: 'https://ghe.example.org/api/v3', targetUrl: 'https://ci.example.org' });
  assert.deepEqual(quiet!.notify, []);
  assert.equal(quiet!.commitStatus, null);
  assert.deepEqual(findings.filter((f) => f.level === 'error'), []);
});

test('a command that reads no secrets still reads the targets\' url and token, and reports nothing of them', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', `${ENTRY}    notify:
      - {url_env: HOOK, format: ntfy, token_env: NOT_SET}
      - {url_file: missing.url}
`);
  const { settings, findings } = loadSettings(file, { HOOK: 'https://ntfy.sh/topic' }, { readSecrets: false });
  assert.ok(settings, findings.map(formatFinding).join('\n'));
  assert.deepEqual(settings.entries[0]!.notify.map((t) => [t.url, t.token]), [['https://ntfy.sh/topic', null], [null, null]]);
});

test('check reports the problems of every target at once: one target that does not parse hides none of the others\'', () => {
  const dir = tempDir().dir;
  writeFile(dir, 'ftp.url', 'ftp://example.org/x\n');
  const file = writeFile(dir, 'whauto.yaml', `${ENTRY}    notify:
      - {url: "https://example.org/x", format: teams}
      - {url: "https://ntfy.sh/x", format: ntfy, token_file: missing.token}
      - {url_file: ftp.url}
      - {url_env: NO_SUCH_HOOK}
`);
  const { settings, findings } = loadSettings(file, {});
  assert.equal(settings, null);
  const errors = findings.filter((f) => f.level === 'error').map((f) => [f.line, f.code]);
  assert.deepEqual(errors, [[6, 'unknown-format'], [7, 'secret-file-unreadable'], [8, 'bad-url'], [9, 'secret-env-unset']]);
  assert.match(findings.find((f) => f.code === 'bad-url')!.message, /^'notify' target 3: /, 'a target keeps its place in the list');
});
