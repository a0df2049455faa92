// whauto init --from OLD.yaml: the modern spelling of a 0.0.x settings file loads into the
// same settings, with no legacy note left, never over an existing file, and never prints a secret.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../src/cli/cli.ts';
import type { Io } from '../../src/cli/io.ts';
import { loadSettings } from '../../src/settings/load.ts';
import type { Settings } from '../../src/settings/types.ts';
import { tempDir } from '../helpers/tmp.ts';

const LEGACY = new URL('../../examples/legacy-settings.yaml', import.meta.url).pathname;

async function whauto(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => { stdout += String(t); }, stderr: (t) => { stderr += t; }, env: { PATH: process.env.PATH }, cwd };
  return { code: await cli(io, argv), stdout, stderr };
}

/** The settings a file loads into, without the file's own path; fails on any error. */
function loaded(file: string): Omit<Settings, 'file'> {
  const { settings, findings } = loadSettings(file, {});
  assert.ok(settings, findings.map((f) => f.message).join('\n'));
  const { file: _file, ...rest } = settings;
  return rest;
}

describe('whauto init --from', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  it('writes whauto.yaml beside the 0.0.x file: the same settings, no legacy note, the inline secret kept inline (0600) and not printed', async () => {
    const dir = join(t.dir, 'beside');
    mkdirSync(dir);
    copyFileSync(LEGACY, join(dir, 'old.yaml'));
    const out = await whauto(['init', '--from', 'old.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    const written = join(dir, 'whauto.yaml');
    assert.match(out.stdout, new RegExp(`^wrote ${written} `));
    for (const key of ['listen_ip', 'listen_port', 'provider', 'repositories']) assert.match(out.stdout, new RegExp(`old\\.yaml:\\d+:\\d+: note: '${key}' is the 0\\.0\\.x spelling`));
    assert.ok(!out.stdout.includes('change-me-legacy-secret'), 'the secret is not printed');
    assert.equal(statSync(written).mode & 0o777, 0o600);
    const text = readFileSync(written, 'utf8');
    assert.match(text, /^listen: 127\.0\.0\.1:5000$/m);
    assert.match(text, /^entries:$/m);
    assert.match(text, /^ {4}branch: master/m);
    assert.doesNotMatch(text, /^(listen_ip|listen_port|provider|repositories):/m);
    const { findings } = loadSettings(written, {});
    assert.deepEqual(findings.filter((f) => f.level !== 'warning'), [], 'no error and no note');
    assert.deepEqual(loaded(written), loaded(join(dir, 'old.yaml')));
  });

  it('never writes over an existing file (exit 2, the file unchanged)', async () => {
    const dir = join(t.dir, 'twice');
    mkdirSync(dir);
    copyFileSync(LEGACY, join(dir, 'old.yaml'));
    writeFileSync(join(dir, 'whauto.yaml'), 'mine\n');
    const out = await whauto(['init', '--from', 'old.yaml'], dir);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /whauto\.yaml exists; not overwriting it/);
    assert.equal(readFileSync(join(dir, 'whauto.yaml'), 'utf8'), 'mine\n');
    const self = await whauto(['init', '--from', 'old.yaml', '--out', 'old.yaml'], dir);
    assert.equal(self.code, 2);
    assert.equal(readFileSync(join(dir, 'old.yaml'), 'utf8'), readFileSync(LEGACY, 'utf8'));
  });

  it('--out in another folder: relative paths become absolute, so they name the same files (the state dir whauto used beside the old file too); a secret_file stays a secret_file (0644)', async () => {
    const dir = join(t.dir, 'elsewhere');
    mkdirSync(join(dir, 'site'), { recursive: true });
    mkdirSync(join(dir, 'whauto-state'));
    writeFileSync(join(dir, 'site.secret'), 's3cret-value\n', { mode: 0o600 });
    writeFileSync(join(dir, 'old.yaml'), 'listen_port: 5001\nlog_level: WARNING\nprovider: {name: gitea}\nrepositories:\n  site:\n    repo: acme/site\n    secret_file: site.secret\n    repodir: site\n    workdir: public\n');
    const out = await whauto(['init', '--from', 'old.yaml', '--out', join(t.dir, 'new', 'site.yaml')], dir);
    assert.equal(out.code, 0, out.stderr);
    const written = join(t.dir, 'new', 'site.yaml');
    assert.equal(statSync(written).mode & 0o777, 0o644);
    const text = readFileSync(written, 'utf8');
    assert.ok(text.includes(`secret_file: ${join(dir, 'site.secret')}`), text);
    assert.ok(text.includes('workdir: public'), 'a workdir stays relative to its repodir');
    assert.ok(!text.includes('s3cret-value') && !out.stdout.includes('s3cret-value'));
    const modern = loadSettings(written, {});
    assert.deepEqual(modern.findings.filter((f) => f.level !== 'warning'), []);
    assert.deepEqual(loaded(written), loaded(join(dir, 'old.yaml')));
  });

  it('a file already in the modern spelling: nothing written (exit 0)', async () => {
    const dir = join(t.dir, 'modern');
    mkdirSync(dir);
    writeFileSync(join(dir, 'site.yaml'), 'entries:\n  site: {secret: s, repodir: /srv/site, branch: main}\n', { mode: 0o600 });
    const out = await whauto(['init', '--from', 'site.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /in the modern spelling already; nothing written/);
    assert.equal(existsSync(join(dir, 'whauto.yaml')), false);
  });

  it('a file that does not load: its errors, exit 2, nothing written', async () => {
    const dir = join(t.dir, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'old.yaml'), 'listen_port: http\nrepositories:\n  site: {repodir: /srv/site}\n');
    const out = await whauto(['init', '--from', 'old.yaml'], dir);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /^old\.yaml:1:14: error: /);
    assert.equal(existsSync(join(dir, 'whauto.yaml')), false);
  });

  it('refuses options of a starter file, and DIR with --out (exit 2)', async () => {
    for (const args of [['--repo', 'a/b'], ['--systemd'], ['dir', '--out', 'x.yaml'], ['a', 'b']]) {
      const out = await whauto(['init', '--from', LEGACY, ...args], t.dir);
      assert.equal(out.code, 2, args.join(' '));
      assert.match(out.stderr, /usage: whauto init/);
    }
    assert.equal(existsSync(join(t.dir, 'whauto.yaml')), false);
  });
});
