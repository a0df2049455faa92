// whauto init against the built binary: the starter file passes `whauto check`, the secret
// file is 0600 and never printed, nothing is overwritten, and the file really deploys.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.ts';
import { makeRemote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { whauto as runWhauto } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

/** Runs `whauto ...args` with no systemd credentials unless `env` gives them. */
function whauto(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = runWhauto(args, { env: { ...process.env, CREDENTIALS_DIRECTORY: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('whauto init', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  it('writes a settings file that passes whauto check and a 0600 secret of 32 random bytes, printed only by its path', () => {
    const dir = join(t.dir, 'plain-init');
    const out = whauto(['init', dir, '--repo', 'acme/site', '--branch', 'main', '--repodir', join(t.dir, 'co'), '--clone-url', 'git@github.com:acme/site.git', '--url', 'https://deploy.example.com/']);
    assert.equal(out.code, 0, out.stderr);
    const secretFile = join(dir, 'whauto.secret');
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);
    const secret = readFileSync(secretFile, 'utf8');
    assert.match(secret, /^[0-9a-f]{64}\n$/);
    assert.ok(!out.stdout.includes(secret.trim()), 'the secret is not printed');
    assert.match(out.stdout, /Payload URL: +https:\/\/deploy\.example\.com\/webhook\/site-main\n/);
    assert.match(out.stdout, /application\/json/);
    assert.ok(out.stdout.includes(secretFile));
    const check = whauto(['check', join(dir, 'whauto.yaml')]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.doesNotMatch(check.stdout, /warning/);
  });

  it('two runs make two different secrets', () => {
    const a = join(t.dir, 'a');
    const b = join(t.dir, 'b');
    for (const d of [a, b]) assert.equal(whauto(['init', d, '--repo', 'acme/site', '--branch', 'main']).code, 0);
    assert.notEqual(readFileSync(join(a, 'whauto.secret'), 'utf8'), readFileSync(join(b, 'whauto.secret'), 'utf8'));
  });

  it('refuses to overwrite the settings file or the secret file (exit 2, files unchanged)', () => {
    const dir = join(t.dir, 'twice');
    assert.equal(whauto(['init', dir, '--repo', 'acme/site', '--branch', 'main']).code, 0);
    const before = readFileSync(join(dir, 'whauto.secret'), 'utf8');
    const again = whauto(['init', dir, '--repo', 'acme/other', '--branch', 'dev']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; not overwriting/);
    assert.equal(readFileSync(join(dir, 'whauto.secret'), 'utf8'), before);
    assert.match(readFileSync(join(dir, 'whauto.yaml'), 'utf8'), /repo: acme\/site/);
  });

  it('--listen sets where the daemon listens (one port per daemon); the file still checks', () => {
    for (const [listen, written] of [['127.0.0.1:5001', 'listen: 127.0.0.1:5001 '], ['[::1]:5002', 'listen: "[::1]:5002" '], ['5003', 'listen: "5003" ']] as const) {
      const dir = join(t.dir, `listen-${listen.replace(/\W/g, '')}`);
      const out = whauto(['init', dir, '--repo', 'acme/site', '--branch', 'main', '--listen', listen]);
      assert.equal(out.code, 0, out.stderr);
      assert.ok(readFileSync(join(dir, 'whauto.yaml'), 'utf8').includes(written), listen);
      assert.ok(out.stdout.includes(`whauto listens on ${listen}`), out.stdout);
      const check = whauto(['check', join(dir, 'whauto.yaml')]);
      assert.equal(check.code, 0, check.stdout + check.stderr);
    }
  });

  it('answers usage errors with exit 2: no --repo, a repo without owner, a branch that can never match, an unknown provider, a URL that is not http(s), a bad --listen, a repo given as a URL or with a path beyond OWNER/NAME', () => {
    for (const args of [['--branch', 'main'], ['--repo', 'acme', '--branch', 'main'], ['--repo', 'a/b', '--branch', 'bad..b'],
      ['--repo', 'a/b', '--branch', 'main', '--provider', 'svn'], ['--repo', 'a/b', '--branch', 'main', '--url', 'ftp://x'],
      ['--repo', 'a/b', '--branch', 'main', '--listen', 'localhost:99999'], ['--repo', 'a/b', '--branch', 'main', '--listen', '127.0.0.1:0'],
      ['--repo', 'https://github.com/acme/site', '--branch', 'main'], ['--repo', 'acme/site.git', '--branch', 'main'],
      ['--repo', 'acme/site/extra', '--branch', 'main'], ['--repo', 'a/b', '--branch', 'main', '--name', `x${'0'.repeat(300)}`],
      ['--repo', 'a/b', '--branch', 'main', '--name', 'site.yaml']]) {
      const out = whauto(['init', join(t.dir, 'never'), ...args]);
      assert.equal(out.code, 2, args.join(' '));
      assert.match(out.stderr, /usage: whauto init/);
    }
    assert.equal(existsSync(join(t.dir, 'never')), false);
  });

  it('says what is wrong with a branch given empty or with a space, rather than that it is missing', () => {
    for (const [branch, said] of [['', /--branch needs a branch name \(it was empty\)/], ['main ', /--branch "main " holds a space/], ['feature x', /--branch "feature x" holds a space/]] as const) {
      const out = whauto(['init', join(t.dir, 'never'), '--repo', 'a/b', '--branch', branch]);
      assert.equal(out.code, 2, branch);
      assert.match(out.stderr, said);
    }
    assert.equal(existsSync(join(t.dir, 'never')), false);
  });

  it('refuses a folder under /proc at once (exit 2) instead of spinning in mkdir', () => {
    const r = whauto(['init', '/proc/whauto-init', '--repo', 'acme/site', '--branch', 'main']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is under \/proc/);
  });

  it('--systemd reads the secret from $CREDENTIALS_DIRECTORY: valid with it set, an error without (for check; status and trigger need none)', () => {
    const dir = join(t.dir, 'sd');
    const out = whauto(['init', dir, '--repo', 'group/sub/site', '--branch', 'release/*', '--provider', 'gitlab', '--systemd', '--name', 'site']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /LoadCredential=site\.secret:/);
    const text = readFileSync(join(dir, 'site.yaml'), 'utf8');
    assert.match(text, /secret_file: "\$\{CREDENTIALS_DIRECTORY\}\/site\.secret"/);
    assert.match(text, /state_dir: \/var\/lib\/whauto\/site/);
    const ok = whauto(['check', join(dir, 'site.yaml')], { CREDENTIALS_DIRECTORY: dir });
    assert.equal(ok.code, 0, ok.stdout);
    const unset = whauto(['check', join(dir, 'site.yaml')]);
    assert.equal(unset.code, 2);
    assert.match(unset.stdout, /CREDENTIALS_DIRECTORY is not set/);
    // status and trigger verify no delivery: they need no secret, so work outside systemd too.
    const status = whauto(['status', join(dir, 'site.yaml')]);
    assert.equal(status.code, 0, status.stderr);
    const dry = whauto(['trigger', join(dir, 'site.yaml'), 'site-release', '--dry-run', '--branch', 'release/1']);
    assert.doesNotMatch(dry.stderr, /CREDENTIALS_DIRECTORY/);
    assert.notEqual(dry.code, 2, dry.stderr);
  });

  it('for every provider the starter file is valid', () => {
    for (const provider of ['github', 'gitlab', 'gitea', 'forgejo', 'gogs', 'bitbucket', 'bitbucket-server', 'plain']) {
      const dir = join(t.dir, `p-${provider}`);
      const out = whauto(['init', dir, '--repo', 'acme/site', '--branch', 'main', '--provider', provider]);
      assert.equal(out.code, 0, out.stderr);
      const check = whauto(['check', join(dir, 'whauto.yaml')]);
      assert.equal(check.code, 0, `${provider}: ${check.stdout}`);
    }
  });

  it('the starter file deploys: served as written (but on a free port), a signed push clones the checkout and runs its command', async () => {
    const dir = join(t.dir, 'deploys');
    const remote = makeRemote(join(t.dir, 'forge'));
    const repodir = join(t.dir, 'deployed');
    assert.equal(whauto(['init', dir, '--repo', 'acme/site', '--branch', 'main', '--repodir', repodir, '--clone-url', remote.bare]).code, 0);
    const file = join(dir, 'whauto.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('listen: 127.0.0.1:5000', 'listen: 127.0.0.1:0'));
    const secret = readFileSync(join(dir, 'whauto.secret'), 'utf8').trim();
    const daemon = await startDaemon(file);
    try {
      const tip = remote.push('main');
      const d = pushDelivery('github', { repo: 'acme/site', branch: 'main', after: tip }, secret);
      const res = await post(`${daemon.base}/webhook/site-main`, d.headers, d.body);
      assert.equal(res.status, 202, JSON.stringify(res.json));
      await waitFor('the run to finish', () => daemon.lines.find((l) => / run finished /.test(l) || /"msg":"run finished"/.test(l)));
      assert.equal(readFileSync(join(repodir, 'deployed.txt'), 'utf8').length > 0, true);
      const wrong = pushDelivery('github', { repo: 'acme/site', branch: 'main' }, 'not-the-secret');
      assert.equal((await post(`${daemon.base}/webhook/site-main`, wrong.headers, wrong.body)).status, 403);
    } finally {
      await daemon.stop();
    }
  });
});
