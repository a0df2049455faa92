// `whauto trigger --dry-run` exits as the run will, against the built binary and real
// repositories, in cases a dry run once passed and the run then failed: submodules fetched
// from a server that serves no commit by id, the file transport git refuses for submodules,
// git's lock files and hooks inside submodules, and shared paths under a tracked non-folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { writeSettings } from '../helpers/settings.ts';
import { dryThenReal, outcome } from '../helpers/dry-and-real.ts';
import { requireBinary } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';

/** git config for whauto's side, as `-c` pairs through GIT_CONFIG_COUNT (no user or system config). */
function gitEnv(config: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const pairs = Object.entries(config);
  env['GIT_CONFIG_COUNT'] = String(pairs.length);
  pairs.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  return env;
}

const FILE_ALLOWED = { 'protocol.file.allow': 'always' };

interface Site {
  app: Remote;
  lib: Remote;
  settings: string;
  /** The entry's repodir (a checkout, or a release deploy root). */
  root: string;
  /** `whauto trigger` of the entry, with `env`: exit status and output. */
  trigger(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; out: string };
  /** The dry run, then the run: asserts their exit codes agree; returns both. */
  both(env: NodeJS.ProcessEnv): { dry: { status: number | null; out: string }; real: { status: number | null; out: string } };
  /** Commits what the app's author staged and pushes it; returns the commit. */
  commitAll(message: string): string;
  /** The newest run's log. */
  log(env: NodeJS.ProcessEnv): string;
}

/** An app whose author has a library `lib` (its own remote) at hand; the entry deploys the app with `update` and submodules on. */
function site(dir: string, update: 'reset' | 'release', extra: Record<string, unknown> = {}): Site {
  const app = makeRemote(join(dir, 'app'));
  const lib = makeRemote(join(dir, 'lib'), { first: { README: 'README of lib\n' } });
  const root = join(dir, 'deploy');
  const settings = writeSettings(dir, {
    state_dir: join(dir, 'state'),
    entries: { site: { provider: 'plain', branch: 'main', repodir: root, clone_url: app.bare, update, submodules: true, commands: ['true'], ...extra } },
  });
  const trigger = (env: NodeJS.ProcessEnv, ...args: string[]) => outcome(['trigger', settings, 'site', ...args], env);
  return {
    app, lib, settings, root, trigger,
    both: (env) => dryThenReal((...args) => trigger(env, ...args)),
    commitAll(message) {
      git(app.work, 'commit', '-q', '-m', message);
      git(app.work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
      return git(app.work, 'rev-parse', 'HEAD');
    },
    log: (env) => outcome(['status', settings, 'site', '--log'], env).out,
  };
}

/** A temp folder for one test, removed after it. */
function scenario(name: string, body: (dir: string) => void): void {
  test(name, { timeout: 300_000 }, () => {
    requireBinary();
    const t = tempDir('whauto-dry-');
    try {
      body(t.dir);
    } finally {
      t.cleanup();
    }
  });
}

// --- release: submodules from a server that serves no commit by id ---

scenario('release: a submodule at a commit no branch tip names, from a server that serves no unadvertised commit (protocol v0), is deployed', (dir) => {
  const s = site(dir, 'release');
  const wanted = s.lib.push('main', 'lib.txt', 'lib one\n');
  s.lib.push('main', 'lib.txt', 'lib two\n');
  git(s.app.work, 'submodule', 'add', '-q', s.lib.bare, 'vendor/lib');
  git(join(s.app.work, 'vendor/lib'), 'checkout', '-q', wanted);
  git(s.app.work, 'add', 'vendor/lib');
  s.commitAll('add lib at an older commit');
  const { real } = s.both(gitEnv({ ...FILE_ALLOWED, 'protocol.version': '0' }));
  assert.equal(real.status, 0, real.out);
  assert.equal(readFileSync(join(s.root, 'current', 'vendor', 'lib', 'lib.txt'), 'utf8'), 'lib one\n');
});

scenario("release: a file:// submodule git refuses (no protocol.file.allow): the dry run fails as the run, whose log has git's own words", (dir) => {
  const s = site(dir, 'release');
  const env = gitEnv({ 'protocol.version': '0' });
  assert.equal(s.trigger(env).status, 0, 'the first deploy, no submodules yet');
  git(s.app.work, 'submodule', 'add', '-q', s.lib.bare, 'vendor/lib');
  s.commitAll('add lib');
  const { dry, real } = s.both(env);
  assert.equal(real.status, 1, real.out);
  assert.match(dry.out, /cannot get commit [0-9a-f]+ of submodule vendor\/lib from .*protocol\.file\.allow/);
  const log = s.log(env);
  assert.match(log, /transport 'file' not allowed/);
  assert.doesNotMatch(log, /invalid refspec/);
});

// --- in place: what `git submodule` will meet ---

scenario('reset: a new file:// submodule git refuses for submodules (protocol.file.allow unset): the dry run fails as the run does, in git\'s words', (dir) => {
  const s = site(dir, 'reset');
  const env = gitEnv({});
  assert.equal(s.trigger(env).status, 0, 'the first deploy, no submodules yet');
  git(s.app.work, 'submodule', 'add', '-q', s.lib.bare, 'vendor/lib');
  s.commitAll('add lib');
  const { dry, real } = s.both(env);
  assert.equal(real.status, 1, real.out);
  assert.match(dry.out, /adds submodule vendor\/lib .*which cannot be read: .*protocol\.file\.allow/);
});

/** A reset site whose app has submodule `vendor/lib`, deployed once (file:// allowed). */
function deployedWithLib(dir: string): Site {
  const s = site(dir, 'reset');
  git(s.app.work, 'submodule', 'add', '-q', s.lib.bare, 'vendor/lib');
  s.commitAll('add lib');
  const first = s.trigger(gitEnv(FILE_ALLOWED));
  assert.equal(first.status, 0, first.out);
  return s;
}

scenario('reset with submodules: a stale .git/config.lock (git submodule sync cannot write the config) fails the dry run as the run', (dir) => {
  const s = deployedWithLib(dir);
  writeFileSync(join(s.root, '.git', 'config.lock'), '');
  s.app.push('main', 'app.txt');
  const { dry, real } = s.both(gitEnv(FILE_ALLOWED));
  assert.equal(real.status, 1, real.out);
  assert.match(dry.out, /git lock file in the checkout: \.git\/config\.lock/);
});

scenario("reset: a submodule moved while its git folder has a stale index.lock fails the dry run as the run", (dir) => {
  const s = deployedWithLib(dir);
  writeFileSync(join(s.root, '.git', 'modules', 'vendor/lib', 'index.lock'), '');
  git(s.app.work, 'mv', 'vendor/lib', 'lib');
  s.commitAll('move lib');
  const { dry, real } = s.both(gitEnv(FILE_ALLOWED));
  assert.equal(real.status, 1, real.out);
  assert.match(dry.out, /git lock file in the checkout: \.git\/modules\/vendor\/lib\/index\.lock/);
});

scenario("reset: a failing post-checkout hook in a submodule's git folder is one the dry run cannot vouch for", (dir) => {
  const s = deployedWithLib(dir);
  const hook = join(s.root, '.git', 'modules', 'vendor/lib', 'hooks', 'post-checkout');
  writeFileSync(hook, '#!/bin/sh\necho "submodule hook says no" >&2\nexit 1\n');
  chmodSync(hook, 0o755);
  s.lib.push('main', 'lib.txt', 'lib two\n');
  git(join(s.app.work, 'vendor/lib'), 'pull', '-q', 'origin', 'main');
  git(s.app.work, 'add', 'vendor/lib');
  s.commitAll('bump lib');
  const { dry, real } = s.both(gitEnv(FILE_ALLOWED));
  assert.equal(real.status, 1, real.out);
  assert.match(dry.out, /cannot check: git runs the post-checkout hook of submodule vendor\/lib \(\.git\/modules\/vendor\/lib\/hooks\/post-checkout\); a dry run does not run it/);
});

// --- release: shared paths under what the commit tracks as no folder ---

for (const [kind, make] of [
  ['a symlink', (work: string) => symlinkSync('elsewhere', join(work, 'config'))],
  ['a file', (work: string) => writeFileSync(join(work, 'config'), 'a file\n')],
] as const) {
  scenario(`release: shared config/db.yml while the commit tracks config as ${kind}: refused, the dry run as the run, naming it`, (dir) => {
    const s = site(dir, 'release', { shared: ['config/db.yml'], submodules: false });
    assert.equal(s.trigger(gitEnv({})).status, 0, 'the first deploy (a dry run of one has no store to look in)');
    make(s.app.work);
    git(s.app.work, 'add', 'config');
    s.commitAll(`config is ${kind}`);
    const { dry, real } = s.both(gitEnv({}));
    assert.equal(real.status, 1, real.out);
    assert.match(dry.out, new RegExp(`shared path config/db\\.yml: the commit [0-9a-f]+ tracks config as ${kind}, not a folder`));
  });
}

scenario('release: shared lib/s.txt while lib is a submodule: refused, the dry run as the run, naming it', (dir) => {
  const s = site(dir, 'release', { shared: ['lib/s.txt'] });
  const env = gitEnv(FILE_ALLOWED);
  assert.equal(s.trigger(env).status, 0, 'the first deploy (a dry run of one has no store to look in)');
  git(s.app.work, 'submodule', 'add', '-q', s.lib.bare, 'lib');
  s.commitAll('lib is a submodule');
  const { dry, real } = s.both(env);
  assert.equal(real.status, 1, real.out);
  assert.match(dry.out, /shared path lib\/s\.txt: the commit [0-9a-f]+ tracks lib as a submodule, not a folder/);
});
