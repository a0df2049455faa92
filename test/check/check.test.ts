// `whauto check` end to end: the BUILT binary on settings files in a temp folder.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CASES } from '../settings/cases.ts';
import { requireBinary, whauto as runWhauto } from '../helpers/run.ts';
import { tempDir, writeFile } from '../helpers/tmp.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

interface Outcome { code: number; stdout: string; stderr: string }

/** Runs `whauto ...args` with only PATH and `env` in its environment. */
function whauto(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Outcome {
  const r = runWhauto(args, { env: { PATH: process.env.PATH, ...env }, ...(cwd ? { cwd } : {}) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

before(() => requireBinary());

for (const c of CASES) {
  const exit = c.level === 'error' ? 2 : 0;
  test(`whauto check exits ${exit} and prints FILE:${c.line}:${c.col}: ${c.level}: for ${c.name}`, () => {
    const dir = tempDir().dir;
    c.setup?.(dir);
    const file = writeFile(dir, 'whauto.yaml', c.yaml, c.mode ?? 0o600);
    const out = whauto(['check', file], c.env);
    assert.equal(out.code, exit, out.stdout + out.stderr);
    const lines = out.stdout.split('\n');
    assert.ok(lines.some((l) => l.startsWith(`${file}:${c.line}:${c.col}: ${c.level}: `)), out.stdout);
    assert.match(lines.at(-2) ?? '', new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${exit === 0 ? 'valid' : 'invalid'}`));
  });
}

test('whauto check names the file as it was given, relative to the working folder', () => {
  const dir = tempDir().dir;
  writeFile(dir, 'whauto.yaml', 'workers: none\nentries:\n  a: {secret: s, repodir: ., update: none, branch: main}\n');
  const out = whauto(['check', 'whauto.yaml'], {}, dir);
  assert.equal(out.code, 2);
  assert.equal(out.stdout, "whauto.yaml:1:10: error: 'workers' must be an integer, not 'none'\nwhauto.yaml: invalid (1 error)\n");
});

test('whauto check --json prints validity, entry count and the findings with codes and positions', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'defaults:\n  branch: main\nentries:\n  a:\n    repodir: .\n    update: none\n  b:\n    secret: s\n    repodir: .\n    update: none\n');
  const out = whauto(['check', file, '--json']);
  assert.equal(out.code, 0);
  const report = JSON.parse(out.stdout);
  assert.deepEqual(report, {
    valid: true, file, entries: 2,
    findings: [{ level: 'warning', code: 'no-auth', message: report.findings[0]?.message, file, line: 4, col: 3 }],
  });
  const bad = whauto(['check', '--json', file + '.missing']);
  assert.equal(bad.code, 2);
  assert.equal(JSON.parse(bad.stdout).valid, false);
});

test('whauto check reports every problem of the file, not only the first', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'workers: 0\nlisten: nowhere\nentries:\n  a:\n    provider: gitlub\n    secret: s\n    repodir: /x\n    timeout: soon\n');
  const out = whauto(['check', file]);
  assert.equal(out.code, 2);
  const prefixes = out.stdout.split('\n').filter((l) => l.includes(': error: ')).map((l) => l.slice(file.length + 1).split(': ')[0]);
  assert.deepEqual(prefixes, ['1:10', '2:9', '5:15', '8:14']);
});

test('no secret value appears in any check output, text or JSON', () => {
  const dir = tempDir().dir;
  writeFile(dir, 'wide.secret', 'file-secret-4d1\n', 0o644);
  const file = writeFile(dir, 'whauto.yaml', `
entries:
  a:
    secret: 918273645
    repodir: /x
  b:
    secret: inline-secret-7c2
    secret_env: ENV_SECRET
    repodir: /x
  c:
    secret_file: wide.secret
    repodir: /x
    branch: other
  d:
    secret: [inline-secret-9e5]
    repodir: /x
  e:
    secret: inline-secret-1f0
    repodir: /x
    workdir: /elsewhere
    timeout: forever
`, 0o644);
  const env = { ENV_SECRET: 'env-secret-3b8' };
  for (const args of [['check', file], ['check', file, '--json']]) {
    const out = whauto(args, env);
    assert.equal(out.code, 2);
    const text = out.stdout + out.stderr;
    assert.ok(text.includes('secret-in-readable-file') || text.includes('readable by others'));
    for (const secret of ['918273645', 'inline-secret-7c2', 'env-secret-3b8', 'file-secret-4d1', 'inline-secret-9e5', 'inline-secret-1f0']) {
      assert.ok(!text.includes(secret), `${secret} leaked in ${args.join(' ')}:\n${text}`);
    }
  }
});

test('whauto check accepts examples/settings.yaml on a machine without any secret set', () => {
  const out = whauto(['check', `${EXAMPLES}settings.yaml`]);
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /: valid, 3 entries/);
  assert.doesNotMatch(out.stdout, /: error: /);
});

test('whauto check accepts examples/legacy-settings.yaml, noting each legacy key', () => {
  const out = whauto(['check', `${EXAMPLES}legacy-settings.yaml`]);
  assert.equal(out.code, 0, out.stdout + out.stderr);
  for (const key of ['listen_ip', 'listen_port', 'provider', 'repositories']) {
    assert.match(out.stdout, new RegExp(`:\\d+:\\d+: note: '${key}' is the 0.0.x spelling`));
  }
  assert.match(out.stdout, /: valid, 1 entry/);
});

test('whauto check answers usage errors with exit 2 and --help with exit 0', () => {
  const none = whauto(['check']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^whauto check: missing SETTINGS\n/);
  const unknown = whauto(['check', 'a.yaml', '--strict']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /usage: whauto check/);
  const two = whauto(['check', 'a.yaml', 'b.yaml']);
  assert.equal(two.code, 2);
  const help = whauto(['check', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: whauto check SETTINGS \[--json\]/);
});
