// contrib/systemd: the unit files parse, carry the sandboxing and credential settings the
// README promises, pass `systemd-analyze verify` where it exists, and the credential they
// load is what a settings file reads through ${CREDENTIALS_DIRECTORY}.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { requireBinary, runProcess, WHAUTO, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';

const CONTRIB = fileURLToPath(new URL('../../contrib/systemd/', import.meta.url));

/** A unit file as section → key → values (a key may repeat). Throws on a line that is not a unit-file line. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`line ${i + 1} is not KEY=VALUE inside a section: ${raw}`);
    current.set(kv[1]!, [...(current.get(kv[1]!) ?? []), kv[2]!]);
  }
  return sections;
}

/** The one value of `key` in [Service]. */
function one(unit: Map<string, Map<string, string[]>>, key: string): string {
  const v = unit.get('Service')?.get(key);
  assert.equal(v?.length, 1, `[Service] ${key} given once`);
  return v[0]!;
}

const UNITS = [
  { file: 'whauto.service', instance: null, settings: '/etc/whauto/whauto.yaml', credential: 'whauto.secret' },
  { file: 'whauto@.service', instance: 'site', settings: '/etc/whauto/site.yaml', credential: 'site.secret' },
];

for (const u of UNITS) {
  describe(`contrib/systemd/${u.file}`, () => {
    const text = readFileSync(join(CONTRIB, u.file), 'utf8');
    const expand = (s: string): string => (u.instance === null ? s : s.replaceAll('%i', u.instance));

    it('parses as a unit file with [Unit], [Service] and [Install]', () => {
      const unit = parseUnit(text);
      assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
      assert.deepEqual(unit.get('Install')?.get('WantedBy'), ['multi-user.target']);
    });

    it('runs whauto serve as the whauto user, restarts on failure, reloads with SIGHUP, and is sandboxed', () => {
      const unit = parseUnit(text);
      assert.equal(expand(one(unit, 'ExecStart')), `/usr/local/bin/whauto serve ${u.settings}`);
      assert.equal(one(unit, 'User'), 'whauto');
      assert.equal(one(unit, 'Restart'), 'on-failure');
      assert.equal(one(unit, 'ExecReload'), '/bin/kill -HUP $MAINPID');
      // SIGTERM to whauto alone: it lets running runs finish and kills their groups itself.
      assert.equal(one(unit, 'KillMode'), 'mixed');
      for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes']]) {
        assert.equal(one(unit, key!), value, key);
      }
      assert.deepEqual(one(unit, 'ReadWritePaths').split(/\s+/).sort(), ['/srv', '/var/lib/whauto']);
      assert.equal(expand(one(unit, 'LoadCredential')), `${u.credential}:${u.settings.replace(/\.yaml$/, '.secret')}`);
    });

    it('explains ReadWritePaths= where it stands: what is writable, and the drop-in that adds a checkout path', () => {
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.startsWith('ReadWritePaths='));
      const comment = lines.slice(0, at).join('\n').split('\n\n').at(-1)!;
      assert.match(comment, /ReadWritePaths=/);
      assert.match(comment, /\/srv/);
      assert.match(comment, /systemctl edit whauto/);
      assert.match(comment, /#\s+\[Service\]\n#\s+ReadWritePaths=\/var\/www\/\S+/);
    });

    it('agrees with whauto init --systemd on the names: settings file, secret file, credential', () => {
      requireBinary();
      const tmp = tempDir();
      try {
        const args = ['init', tmp.dir, '--systemd', '--repo', 'acme/site', '--branch', 'main', '--repodir', '/var/www/site', ...(u.instance === null ? [] : ['--name', u.instance])];
        const r = whauto(args);
        assert.equal(r.status, 0, r.stderr);
        const unit = parseUnit(text);
        const settings = expand(one(unit, 'ExecStart')).split(' ').at(-1)!;
        const [id, secretPath] = expand(one(unit, 'LoadCredential')).split(':') as [string, string];
        assert.ok(existsSync(join(tmp.dir, basename(settings))), `init wrote ${basename(settings)}`);
        assert.ok(existsSync(join(tmp.dir, basename(secretPath))), `init wrote ${basename(secretPath)}`);
        assert.ok(readFileSync(join(tmp.dir, basename(settings)), 'utf8').includes(`secret_file: "\${CREDENTIALS_DIRECTORY}/${id}"`));
        assert.ok(r.stdout.includes(`LoadCredential=${id}:`), r.stdout);
        assert.ok(r.stdout.includes(`The unit serves ${settings} with that secret`), r.stdout);
        // The checkout is outside the unit's ReadWritePaths=: init says how to add it.
        assert.match(r.stdout, /repodir \/var\/www\/site is not: add it/);
        assert.ok(r.stdout.includes(`systemctl edit ${u.instance === null ? 'whauto' : `whauto@${u.instance}`}`), r.stdout);
        assert.match(r.stdout, /\[Service\]\n +ReadWritePaths=\/var\/www\/site\n/);
      } finally {
        tmp.cleanup();
      }
    });

    it('passes systemd-analyze verify (with ExecStart pointing at the built binary)', (t) => {
      const probe = runProcess('systemd-analyze', ['--version']);
      if (probe.error || probe.status !== 0) {
        t.skip('systemd-analyze is not installed');
        return;
      }
      requireBinary();
      const tmp = tempDir();
      try {
        // verify checks that the executable exists; the unit's own path is /usr/local/bin/whauto.
        const name = u.instance === null ? u.file : u.file.replace('@', `@${u.instance}`);
        const unitFile = join(tmp.dir, name);
        writeFileSync(unitFile, text.replaceAll('/usr/local/bin/whauto', WHAUTO));
        const r = runProcess('systemd-analyze', ['verify', '--man=no', unitFile]);
        const ours = (r.stdout + r.stderr).split('\n').filter((l) => l.includes(name));
        assert.deepEqual(ours, [], r.stdout + r.stderr);
        assert.equal(r.status, 0, r.stdout + r.stderr);
      } finally {
        tmp.cleanup();
      }
    });
  });
}

describe('the credential LoadCredential= gives is the secret_file ${CREDENTIALS_DIRECTORY}/… reads', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  it('serve, with CREDENTIALS_DIRECTORY set as systemd sets it, verifies deliveries signed with the credential', async () => {
    const id = /^LoadCredential=([^:]+):/m.exec(readFileSync(join(CONTRIB, 'whauto.service'), 'utf8'))![1]!;
    const creds = join(t.dir, 'credentials');
    mkdirSync(creds);
    // systemd writes credentials read-only for the unit's user.
    writeFileSync(join(creds, id), 'credential-secret-5e1\n');
    chmodSync(join(creds, id), 0o400);
    const settings = writeSettings(t.dir, {
      entries: { site: { provider: 'github', secret_file: `\${CREDENTIALS_DIRECTORY}/${id}`, repo: 'acme/site', branch: 'main', update: 'none' } },
    });
    requireBinary();
    const check = whauto(['check', settings], { env: { ...process.env, CREDENTIALS_DIRECTORY: creds } });
    assert.equal(check.status, 0, check.stdout);
    assert.ok(!check.stdout.includes('credential-secret-5e1'));
    const daemon = await startDaemon(settings, { env: { CREDENTIALS_DIRECTORY: creds } });
    try {
      const good = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'credential-secret-5e1');
      assert.equal((await post(`${daemon.base}/webhook/site`, good.headers, good.body)).status, 202);
      const bad = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'credential-secret-5e1\n');
      assert.equal((await post(`${daemon.base}/webhook/site`, bad.headers, bad.body)).status, 403, 'the trailing newline is not part of the secret');
    } finally {
      await daemon.stop();
    }
    assert.ok(!daemon.lines.some((l) => l.includes('credential-secret-5e1')), 'the secret is never logged');
  });
});

for (const page of ['README.md', 'docs/operations.md']) {
  test(`${page}'s systemd section names only the files the units read`, () => {
    const text = readFileSync(fileURLToPath(new URL(`../../${page}`, import.meta.url)), 'utf8');
    const section = /## Running under systemd\n([\s\S]*?)\n## /.exec(text)?.[1] ?? '';
    const named = new Set([...section.matchAll(/\/etc\/whauto\/([\w.@-]+)/g)].map((m) => m[1]!));
    assert.ok(named.size > 0, 'the section names files under /etc/whauto');
    const known = new Set(UNITS.flatMap((u) => [basename(u.settings), basename(u.settings).replace(/\.yaml$/, '.secret')]));
    for (const file of named) assert.ok(known.has(file), `${file} is one of ${[...known].join(', ')}`);
  });
}
