// update: release against the built binary and real repositories, where a deploy does not go
// through: a release cut off by its timeout or by Ctrl-C is removed (the abort must not keep
// its removal from happening); a switch of `current` that fails is the failed step, and a dry
// run says beforehand that it would fail; pre_commands of a first deploy run in repodir, made
// for them, never in a folder above it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRemote, type Remote } from '../helpers/git.ts';
import { currentLink, releaseIds, whauto } from '../helpers/release.ts';
import { requireBinary, runProcess, start, WHAUTO } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { standIn, type StandIn } from '../helpers/stand-in.ts';
import { runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

describe('update: release: what a deploy that does not go through leaves', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let chat: StandIn;
  let settings: string;
  const slowFlag = () => join(t.dir, 'slow');
  const started = () => join(t.dir, 'started');
  const root = (name: string) => join(t.dir, name);
  const state = () => join(t.dir, 'state');
  const logOf = (entry: string): string => readFileSync(runRecords(state(), entry).at(-1).logFile, 'utf8');

  before(async () => {
    requireBinary();
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    chat = await standIn();
    const base = { provider: 'plain', branch: 'main', clone_url: remote.bare, update: 'release' };
    // Slow only while the flag file exists: the first deploy goes through, the next is cut off.
    const slow = { SLOW: join(t.dir, 'slow'), STARTED: join(t.dir, 'started') };
    const slowCommand = 'if [ -e "$SLOW" ]; then touch "$STARTED"; sleep 60; fi';
    settings = writeSettings(t.dir, {
      entries: {
        timed: { ...base, repodir: root('timed'), timeout: '3s', env: slow, commands: [slowCommand] },
        stopped: { ...base, repodir: root('stopped'), env: slow, commands: [slowCommand] },
        locked: {
          ...base, repodir: root('locked'), env: { FAILED: join(t.dir, 'failed-step') },
          commands: ['echo build'], on_failure: ['echo "$WHAUTO_FAILED_STEP" > "$FAILED"'],
          notify: [{ url: `${chat.url}/hook`, format: 'json', on: ['failed'] }],
        },
        deep: {
          ...base, repodir: join(t.dir, 'deep', 'a', 'b', 'site'), env: { PWDFILE: join(t.dir, 'pwd-deep') },
          pre_commands: ['pwd > "$PWDFILE"', 'touch made-by-pre'], commands: ['true'],
        },
        deepreset: {
          ...base, update: 'reset', repodir: join(t.dir, 'deep2', 'a', 'site'), env: { PWDFILE: join(t.dir, 'pwd-reset') },
          pre_commands: ['pwd > "$PWDFILE"'], commands: ['true'],
        },
      },
    });
  });
  after(async () => {
    await chat?.close();
    t?.cleanup();
  });

  /**
   * Makes `dir` unwritable (root: immutable with chattr +i, as a read-only folder does not stop
   * root) and returns how to undo it; null, having skipped the test, when that cannot be done here.
   */
  const lock = (ctx: { skip: (why: string) => void }, dir: string): (() => void) | null => {
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o555);
      return () => chmodSync(dir, 0o755);
    }
    const r = runProcess('chattr', ['+i', dir]);
    if (r.status === 0) return () => { runProcess('chattr', ['-i', dir]); };
    ctx.skip(`running as root and chattr +i is not available here (${(r.stderr || r.error?.message || '').trim()}): a read-only folder does not stop root`);
    return null;
  };

  const deploy = (entry: string): void => {
    const r = whauto(['trigger', settings, entry]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  };

  it('a release cut off by the entry\'s timeout is removed, as the run log says; current stays', () => {
    deploy('timed');
    const [live] = releaseIds(root('timed'));
    writeFileSync(slowFlag(), '');
    try {
      const r = whauto(['trigger', settings, 'timed']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
    } finally {
      rmSync(slowFlag(), { force: true });
      rmSync(started(), { force: true });
    }
    assert.equal(runRecords(state(), 'timed').at(-1).result, 'timed out');
    assert.match(logOf('timed'), /release: remove releases\/\S+ \(its deploy failed\)/);
    assert.doesNotMatch(logOf('timed'), /^note:/m, 'nothing failed to be removed');
    assert.deepEqual(releaseIds(root('timed')), [live], 'the timed-out release is gone');
    assert.equal(currentLink(root('timed')), `releases/${live}`);
    const s = whauto(['status', settings, 'timed']);
    const rows = s.stdout.split('\n').filter((l) => /^ {2}[* ] \d{8}T\d{6}Z-[0-9a-f]{7} /.test(l));
    assert.equal(rows.length, 1, `status lists the live release only:\n${s.stdout}`);
  });

  it('a release cut off by Ctrl-C (SIGINT to whauto trigger) is removed; current stays', async () => {
    deploy('stopped');
    const [live] = releaseIds(root('stopped'));
    writeFileSync(slowFlag(), '');
    try {
      const run = start(WHAUTO, ['trigger', settings, 'stopped']);
      await waitFor('the slow command to start', () => existsSync(started()), 60_000);
      await run.stop('SIGINT');
      await run.ended();
    } finally {
      rmSync(slowFlag(), { force: true });
      rmSync(started(), { force: true });
    }
    assert.equal(runRecords(state(), 'stopped').at(-1).result, 'interrupted');
    assert.match(logOf('stopped'), /release: remove releases\/\S+ \(its deploy failed\)/);
    assert.deepEqual(releaseIds(root('stopped')), [live], 'the interrupted release is gone');
    assert.equal(currentLink(root('stopped')), `releases/${live}`);
  });

  it('a release that cannot be removed after the timeout is said in the run log, not dropped', async (ctx) => {
    const releases = join(root('timed'), 'releases');
    const before = releaseIds(root('timed'));
    remote.push('main', 'VERSION', 'not deployed\n');
    writeFileSync(slowFlag(), '');
    let unlock: (() => void) | null = null;
    try {
      const run = start(WHAUTO, ['trigger', settings, 'timed']);
      await waitFor('the slow command to start', () => existsSync(started()), 60_000);
      unlock = lock(ctx, releases);
      const r = await run.ended();
      if (!unlock) return;
      assert.equal(r.code, 1, r.stdout + r.stderr);
    } finally {
      unlock?.();
      rmSync(slowFlag(), { force: true });
      rmSync(started(), { force: true });
    }
    const record = runRecords(state(), 'timed').at(-1);
    const id = record.release;
    assert.equal(record.commit, record.previous, 'what stays deployed is what was, not the release left behind');
    assert.match(logOf('timed'), new RegExp(`^note: cannot remove \\S+releases/${id}: E(PERM|ACCES)`, 'm'));
    assert.deepEqual(releaseIds(root('timed')), [...before, id].sort(), 'it stays, as the log says');
  });

  it('a switch of current that fails is the failed step (WHAUTO_FAILED_STEP, failed_step); the dry run says beforehand that it would fail', async (ctx) => {
    const dir = root('locked');
    deploy('locked');
    const [live] = releaseIds(dir);
    const unlock = lock(ctx, dir);
    if (!unlock) return;
    try {
      const dry = whauto(['trigger', settings, 'locked', '--dry-run']);
      assert.equal(dry.code, 1, dry.stdout + dry.stderr);
      assert.match(dry.stdout + dry.stderr, /cannot make and rename the current link in \S+locked: E(PERM|ACCES)/);
      const m0 = chat.requests.length;
      const r = whauto(['trigger', settings, 'locked']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /cannot switch/);
      const id = runRecords(state(), 'locked').at(-1).release;
      const step = `git: switch current to releases/${id}`;
      assert.equal(readFileSync(join(t.dir, 'failed-step'), 'utf8').trim(), step);
      await waitFor('the failed notification', () => chat.requests.length > m0);
      assert.equal(chat.requests.at(-1)!.json.failed_step, step);
    } finally {
      unlock();
    }
    assert.equal(currentLink(dir), `releases/${live}`, 'current is untouched');
    assert.deepEqual(releaseIds(dir), [live], 'the release that did not go live is removed');
  });

  it('pre_commands of a first release deploy run in repodir, made for them, not in the nearest folder above it; the dry run says so', () => {
    const dir = join(t.dir, 'deep', 'a', 'b', 'site');
    const dry = whauto(['trigger', settings, 'deep', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.ok(dry.stdout.includes(`pre_commands: pwd > "$PWDFILE"   (in ${dir}, which the run creates first)`), dry.stdout);
    assert.equal(existsSync(join(t.dir, 'deep')), false, 'a dry run makes nothing');
    deploy('deep');
    assert.equal(readFileSync(join(t.dir, 'pwd-deep'), 'utf8').trim(), dir);
    assert.ok(existsSync(join(dir, 'made-by-pre')), 'a relative path of a pre_command is in repodir');
    assert.equal(existsSync(join(t.dir, 'deep', 'made-by-pre')), false);
    assert.equal(currentLink(dir), `releases/${releaseIds(dir)[0]}`);
  });

  it('update: reset with a missing repodir: pre_commands of the first deploy run in it too, and the clone goes there', () => {
    const dir = join(t.dir, 'deep2', 'a', 'site');
    deploy('deepreset');
    assert.equal(readFileSync(join(t.dir, 'pwd-reset'), 'utf8').trim(), dir);
    assert.ok(existsSync(join(dir, '.git')), 'cloned into the repodir made for pre_commands');
  });
});
