import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../src/settings/load.ts';
import { formatFinding } from '../../src/settings/finding.ts';
import { tempDir, writeFile } from '../helpers/tmp.ts';
import { CASES } from './cases.ts';

for (const c of CASES) {
  test(`loadSettings reports ${c.level} '${c.code}' at ${c.line}:${c.col} for ${c.name}`, () => {
    const dir = tempDir().dir;
    c.setup?.(dir);
    const file = writeFile(dir, 'whauto.yaml', c.yaml, c.mode ?? 0o600);
    const { settings, findings } = loadSettings(file, c.env ?? {});
    const hit = findings.find((f) => f.code === c.code && f.level === c.level);
    assert.ok(hit, `expected ${c.code}; got:\n${findings.map(formatFinding).join('\n')}`);
    assert.deepEqual([hit.line, hit.col, hit.file], [c.line, c.col, file]);
    assert.equal(settings === null, c.level === 'error', 'settings are null exactly when there is an error');
  });
}

test('loadSettings reports every problem of a file in one pass', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'workers: 0\nmax_body: huge\nentries:\n  a:\n    provider: nope\n    timeout: never\n');
  const codes = loadSettings(file, {}).findings.filter((f) => f.level === 'error').map((f) => f.code);
  assert.deepEqual(codes, ['bad-value', 'bad-size', 'missing-repodir', 'unknown-provider', 'bad-duration']);
});

test('an unknown key says which key was meant', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    repo_dir: /x\n');
  const hit = loadSettings(file, {}).findings.find((f) => f.code === 'unknown-key');
  assert.match(hit?.message ?? '', /did you mean 'repodir'\?/);
});

test('an unreadable settings file is a finding, not a throw', () => {
  const result = loadSettings(join(tempDir().dir, 'absent.yaml'), {});
  assert.equal(result.settings, null);
  assert.deepEqual(result.findings.map((f) => [f.code, f.line, f.col]), [['unreadable', 1, 1]]);
});

test('no finding carries a secret value, whatever is wrong around it', () => {
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
    secret: {nested: inline-secret-9e5}
  e:
    secret_env: pasted-secret-5a1
    repodir: /x
`, 0o644);
  chmodSync(file, 0o644);
  const { findings } = loadSettings(file, { ENV_SECRET: 'env-secret-3b8' });
  assert.ok(findings.length >= 4);
  const text = findings.map(formatFinding).join('\n');
  for (const secret of ['918273645', 'inline-secret-7c2', 'env-secret-3b8', 'file-secret-4d1', 'inline-secret-9e5', 'pasted-secret-5a1']) {
    assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
  }
});

test('a duplicate entry\'s own problems are reported too', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'entries:\n  a: {secret: s, repodir: ., update: none, branch: main}\n  a:\n    provider: gitlub\n');
  const codes = loadSettings(file, {}).findings.map((f) => `${f.code}@${f.line}:${f.col}`);
  assert.deepEqual(codes, ['duplicate-entry@3:3', 'unknown-provider@4:15']);
});

test('a YAML error the parser gives twice at one place is said once', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'entries: {site: {repodir: /tmp, commands: [echo]\n');
  const errors = loadSettings(file, {}).findings.filter((f) => f.level === 'error');
  assert.equal(errors.length, 1, errors.map(formatFinding).join('\n'));
  assert.equal(errors[0]!.code, 'yaml-syntax');
});

test('env-whauto is said for the names whauto sets, not for other WHAUTO_ names an entry may use', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    secret: s\n    repodir: .\n    env: {WHAUTO_FOO: foo, WHAUTO_BRANCH: evil}\n');
  const said = loadSettings(file, {}).findings.filter((f) => f.code === 'env-whauto').map((f) => f.message);
  assert.equal(said.length, 1, said.join('\n'));
  assert.match(said[0]!, /WHAUTO_BRANCH is set by whauto/);
});

test('env-whauto is said also when another env value is wrong', () => {
  const dir = tempDir().dir;
  const file = writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    secret: s\n    repodir: .\n    env: {WHAUTO_REF: x, PORT: [1]}\n');
  const findings = loadSettings(file, {}).findings;
  assert.deepEqual(findings.filter((f) => f.code === 'env-whauto').map((f) => [f.line, f.col]), [[5, 11]]);
  assert.equal(findings.filter((f) => f.level === 'error').length, 1, 'the wrong value is still an error');
});

test('the settings file\'s mode: 0644 (as init writes it) and 0600 say nothing; group or other write bits always warn; the other read bit only with an inline secret', () => {
  const modeCodes = ['settings-writable', 'secret-in-readable-file'];
  const said = (yaml: string, mode: number): string[] => {
    const file = writeFile(tempDir().dir, 'whauto.yaml', yaml, mode);
    return loadSettings(file, { X: 'x' }).findings.filter((f) => modeCodes.includes(f.code)).map((f) => `${f.code}@${f.line}:${f.col}`);
  };
  const fromEnv = 'entries:\n  a:\n    secret_env: X\n    repodir: /x\n';
  const inline = 'entries:\n  a:\n    secret: s\n    repodir: /x\n';
  assert.deepEqual(said(fromEnv, 0o644), []);
  assert.deepEqual(said(fromEnv, 0o600), []);
  assert.deepEqual(said(fromEnv, 0o666), ['settings-writable@1:1']);
  assert.deepEqual(said(inline, 0o600), []);
  assert.deepEqual(said(inline, 0o644), ['secret-in-readable-file@3:5']);
  assert.deepEqual(said(inline, 0o604), ['secret-in-readable-file@3:5']);
  // 0640 with the service user's group: how that user reads a root-owned file.
  assert.deepEqual(said(inline, 0o640), []);
  // Writable but not readable by the group: the write is what is wrong, not a leak.
  assert.deepEqual(said(inline, 0o620), ['settings-writable@1:1']);
  assert.deepEqual(said(inline, 0o666), ['settings-writable@1:1', 'secret-in-readable-file@3:5']);
});

test('settings-writable names the mode and what to do', () => {
  const file = writeFile(tempDir().dir, 'whauto.yaml', 'workers: 1\n', 0o664);
  const hit = loadSettings(file, {}).findings.find((f) => f.code === 'settings-writable');
  assert.match(hit?.message ?? '', /writable by group or others \(mode 664\).*run(s)? commands as the whauto user.*chmod go-w/);
});

test('a secret_file\'s mode: the other read bit says secret-file-readable, group or other write bits secret-file-writable, each only when so', () => {
  const said = (mode: number): string[] => {
    const dir = tempDir().dir;
    writeFile(dir, 'hook.secret', 'x', mode);
    const file = writeFile(dir, 'whauto.yaml', 'entries:\n  a:\n    secret_file: hook.secret\n    repodir: /x\n');
    return loadSettings(file, {}).findings.filter((f) => f.code.startsWith('secret-file-')).map((f) => f.code);
  };
  assert.deepEqual(said(0o600), []);
  assert.deepEqual(said(0o400), []);
  // 0640 root:whauto is how a service user reads the secret outside systemd.
  assert.deepEqual(said(0o640), []);
  assert.deepEqual(said(0o604), ['secret-file-readable']);
  assert.deepEqual(said(0o644), ['secret-file-readable']);
  assert.deepEqual(said(0o620), ['secret-file-writable']);
  assert.deepEqual(said(0o602), ['secret-file-writable']);
  assert.deepEqual(said(0o666), ['secret-file-readable', 'secret-file-writable']);
});

const YAML11_WORDS = { true: ['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'], false: ['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'] };

/** loadSettings of one entry with `line` added to it. */
function loadEntryWith(line: string): ReturnType<typeof loadSettings> {
  return loadSettings(writeFile(tempDir().dir, 'whauto.yaml', `entries:\n  a:\n    secret: s\n    repodir: /x\n    ${line}\n`), {});
}

test('tags: each YAML 1.1 boolean word, unquoted, is an error saying what to write', () => {
  for (const [meant, words] of Object.entries(YAML11_WORDS)) {
    for (const word of words) {
      const { settings, findings } = loadEntryWith(`tags: ${word}`);
      const hit = findings.find((f) => f.code === 'yaml11-boolean');
      assert.equal(hit?.level, 'error', `tags: ${word}`);
      assert.equal(settings, null);
      assert.ok(hit!.message.includes(`'tags': '${word}' is read as a tag pattern, not ${meant}`), hit!.message);
      assert.ok(hit!.message.includes(`write ${meant}, or quote it ("${word}")`), hit!.message);
    }
  }
});

test('tags: a quoted or !!str-tagged yes is the pattern yes; true, TRUE and patterns like yes* are as before', () => {
  for (const [line, want] of [['tags: "yes"', 'yes'], ["tags: 'off'", 'off'], ['tags: !!str on', 'on'], ['tags: TRUE', true], ['tags: false', false], ['tags: yes*', 'yes*'], ['tags: yesterday', 'yesterday']] as const) {
    const { settings, findings } = loadEntryWith(line);
    assert.equal(findings.filter((f) => f.level === 'error').length, 0, `${line}: ${findings.map(formatFinding).join('\n')}`);
    assert.equal(settings?.entries[0]?.tags, want, line);
  }
});

test('a true/false key given yes or off is a type error that says to write true or false', () => {
  const hit = (line: string): string => loadEntryWith(line).findings.find((f) => f.code === 'type')?.message ?? '';
  assert.equal(hit('submodules: yes'), "'submodules' must be true or false, not 'yes' (YAML 1.2 reads yes as a string: write true)");
  assert.equal(hit('submodules: Off'), "'submodules' must be true or false, not 'Off' (YAML 1.2 reads Off as a string: write false)");
  assert.equal(hit('submodules: maybe'), "'submodules' must be true or false, not 'maybe'");
  const metrics = loadSettings(writeFile(tempDir().dir, 'whauto.yaml', 'metrics: on\n'), {}).findings.find((f) => f.code === 'type');
  assert.match(metrics?.message ?? '', /^'metrics' must be true or false, not 'on' \(.*write true\)$/);
});

test('branch: a lone unquoted yes/no/true/false… is a branch of that name, with a warning saying what else to write', () => {
  for (const [line, branch, hint] of [['branch: yes', 'yes', '"**"'], ['branch: true', 'true', '"**"'], ['branch: Off', 'Off', 'write []'], ['branch: false', 'false', 'write []']] as const) {
    const { settings, findings } = loadEntryWith(line);
    const hit = findings.find((f) => f.code === 'boolean-branch');
    assert.equal(hit?.level, 'warning', line);
    assert.ok(hit!.message.includes(`'branch': ${branch} deploys only a branch named ${branch}; `) && hit!.message.includes(hint), hit!.message);
    assert.ok(hit!.message.endsWith(`or quote it ("${branch}") if you mean that branch`), hit!.message);
    assert.deepEqual(settings?.entries[0]?.branches, [branch], line);
  }
  for (const line of ['branch: "yes"', "branch: 'no'", 'branch: !!str on', 'branch: [main, yes]', 'branch: yesterday']) {
    const { settings, findings } = loadEntryWith(line);
    assert.deepEqual(findings.filter((f) => f.code === 'boolean-branch'), [], line);
    assert.ok(settings, line);
  }
});

test('webhook_url_path may not be /healthz or /metrics in any spelling that normalizes to them; paths beside or under them may', () => {
  const load = (value: string): ReturnType<typeof loadSettings> => loadSettings(writeFile(tempDir().dir, 'whauto.yaml', `webhook_url_path: ${value}\n`), {});
  for (const value of ['/healthz', 'healthz', '//healthz/', '/metrics', 'metrics/']) {
    const errors = load(value).findings.filter((f) => f.level === 'error');
    assert.deepEqual(errors.map((f) => f.code), ['bad-value'], value);
    assert.match(errors[0]!.message, /^'webhook_url_path' cannot be '\/(healthz|metrics)': whauto serves .* there, so deliveries to the single URL would get 405; write another prefix, like \/webhook$/);
  }
  for (const [value, want] of [['/healthz/hooks', '/healthz/hooks'], ['/metrics/hooks', '/metrics/hooks'], ['/healthz2', '/healthz2'], ['/Metrics', '/Metrics']] as const) {
    assert.equal(load(value).settings?.webhookUrlPath, want, value);
  }
});

test('webhook_url_path takes exactly the URL path characters clients send as written; any other is bad-value naming it', () => {
  const load = (value: string): ReturnType<typeof loadSettings> => loadSettings(writeFile(tempDir().dir, 'whauto.yaml', `webhook_url_path: ${JSON.stringify(value)}\n`), {});
  const all = "/Az09-._~!$&'()*+,;=:@/x";
  assert.deepEqual(load(all).findings.filter((f) => f.level === 'error'), []);
  assert.equal(load(all).settings?.webhookUrlPath, all.replace(/\/$/, ''));
  for (const [value, named] of [['/ü', "'ü'"], ['/a\\b', "'\\'"], ['/a b', 'U+0020'], ['/a\tb', 'U+0009'], ['/a%2fb', "'%'"], ['/a?b', "'?'"], ['/a#b', "'#'"],
    ['/a|b', "'|'"], ['/a[0]', "'['"], ['/a^b', "'^'"], ['/a\"b', "'\"'"], ['/a{b}', "'{'"], ['/a`b', "'`'"], ['/a<b', "'<'"], ['/🪝', "'🪝'"]] as const) {
    const errors = load(value).findings.filter((f) => f.level === 'error');
    assert.deepEqual(errors.map((f) => f.code), ['bad-value'], value);
    assert.ok(errors[0]!.message.startsWith("'webhook_url_path' may hold only letters A-Z a-z, digits and -._~!$&'()*+,;=:@/ "), errors[0]!.message);
    assert.ok(errors[0]!.message.includes(`not ${named} in `), `${value}: ${errors[0]!.message}`);
  }
});

test('shared-checkout: entries on one checkout that differ in branch, tags, update, remote or clone_url are told apart; the same, none or a clone_url of one only say nothing', () => {
  const said = (a: string, b: string): string[] => {
    const dir = tempDir().dir;
    // b reaches the same checkout through a symlink: the real repodir is what counts.
    const file = writeFile(dir, 'whauto.yaml', `entries:\n  a:\n    secret: s\n    repodir: co\n${a}  b:\n    secret: s\n    repodir: link\n${b}`);
    mkdirSync(join(dir, 'co'));
    symlinkSync(join(dir, 'co'), join(dir, 'link'));
    return loadSettings(file, {}).findings.filter((f) => f.code === 'shared-checkout').map((f) => `${f.level}@${f.line}:${f.col} ${f.message}`);
  };
  const co = (m: string): string => m.replace(/ \/\S+\/link /, ' CO ');
  assert.deepEqual(said('', ''), []);
  assert.deepEqual(said('    branch: main\n    update: reset\n    remote: origin\n    clone_url: https://x/a.git\n', '    clone_url: " https://x/a.git"\n'), []);
  assert.deepEqual(said('    clone_url: https://x/a.git\n', ''), [], 'only one clones');
  assert.deepEqual(said('', '    update: none\n    branch: other\n'), [], 'update: none does no git work');
  assert.deepEqual(said('', '    update: ff-only\n').map(co), [
    "warning@7:14 entries 'a' and 'b' update the same checkout CO with a different update (reset vs ff-only): each run undoes or refuses what the other's did; give them the same update, or a repodir each"]);
  assert.deepEqual(said('    remote: upstream\n', '').map(co), [
    "warning@8:14 entries 'a' and 'b' update the same checkout CO with a different remote (upstream vs origin): each run undoes or refuses what the other's did; give them the same remote, or a repodir each"]);
  assert.deepEqual(said('    clone_url: https://token@x/a.git\n', '    clone_url: https://x/b.git\n').map(co), [
    "warning@8:14 entries 'a' and 'b' update the same checkout CO with a different clone_url: each run undoes or refuses what the other's did; give them the same clone_url, or a repodir each"]);
  assert.deepEqual(said('', '    tags: "v*"\n').map(co), [
    "warning@7:14 entries 'a' and 'b' update the same checkout CO with a different tags (false vs v*): a tag push leaves it on the tag until the other entry's next push moves it back; give them the same tags, or a repodir each"]);
  assert.deepEqual(said('    branch: [main, next]\n', '    branch: [next]\n    update: ff-only\n    remote: up\n').map(co), [
    "warning@8:14 entries 'a' and 'b' update the same checkout CO with a different branch (main, next vs next), update (reset vs ff-only) and remote (origin vs up): each push flips it to the other's branch; give them the same branch, update and remote, or a repodir each"]);
});
