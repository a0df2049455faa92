// `whauto trigger` against real repositories: exit codes, --dry-run, --no-wait, history.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { running } from '../helpers/proc.ts';
import { requireBinary, start, WHAUTO, whauto } from '../helpers/run.ts';
import { MARK_ENV, readMarker, writeSettings } from '../helpers/settings.ts';
import { runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

describe('whauto trigger', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let settings: string;

  before(() => {
    requireBinary();
    t = tempDir();
    remote = makeRemote(join(t.dir, 'forge'));
    const base = { provider: 'github', secret: 'trigger-secret', repo: 'acme/site', clone_url: remote.bare };
    settings = writeSettings(t.dir, {
      entries: {
        site: { ...base, branch: 'main', repodir: join(t.dir, 'site'), env: { MARKER: join(t.dir, 'site.mark') }, commands: [MARK_ENV, 'echo deployed-line'] },
        broken: { ...base, branch: 'main', repodir: join(t.dir, 'broken'), commands: ['echo about to fail', 'exit 3'] },
        fresh: {
          ...base, branch: 'main', repodir: join(t.dir, 'not-yet', 'fresh'), env: { PRE: join(t.dir, 'pre.cwd') },
          pre_commands: ['pwd > "$PRE"'], commands: ['test -f README'],
        },
        plain: { ...base, branch: 'main', repodir: join(t.dir, 'plain'), commands: ['echo never'] },
        ff: { ...base, branch: 'main', update: 'ff-only', repodir: join(t.dir, 'ff'), commands: ['true'] },
        lost: { ...base, clone_url: join(t.dir, 'no-such-remote.git'), branch: 'main', repodir: join(t.dir, 'lost'), commands: ['echo never'] },
        killed: {
          ...base, branch: 'main', repodir: join(t.dir, 'killed'), env: { W: t.dir },
          // The first run holds and writes its pid; the next one notes whether that process still runs.
          commands: ['if [ -e "$W/killed.pid" ]; then s=$(cut -d" " -f3 "/proc/$(cat "$W/killed.pid")/stat" 2>/dev/null); echo "state=${s:-gone}" > "$W/killed.seen"; else echo $$ > "$W/killed.pid"; while :; do sleep 0.05; done; fi'],
        },
        gated: {
          ...base, branch: 'main', repodir: join(t.dir, 'gated'), env: { GATE: join(t.dir, 'gate'), STARTED: join(t.dir, 'started') },
          commands: ['touch "$STARTED"; while [ -e "$GATE" ]; do sleep 0.05; done'],
        },
      },
    });
  });
  after(() => t.cleanup());

  /** The site checkout exists (the first test makes it; a test run alone by name makes it here). */
  const deployedOnce = (): void => {
    if (!existsSync(join(t.dir, 'site'))) assert.equal(whauto(['trigger', settings, 'site']).status, 0);
  };

  it('runs the entry in the foreground, streams its output, records the run, exits 0', () => {
    const commit = remote.push('main');
    const r = whauto(['trigger', settings, 'site']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /deployed-line/);
    const m = readMarker(join(t.dir, 'site.mark'))!;
    assert.equal(m['WHAUTO_TRIGGER'], 'manual');
    assert.equal(m['WHAUTO_AFTER'], commit);
    assert.equal(git(join(t.dir, 'site'), 'rev-parse', 'HEAD'), commit);
    const records = runRecords(join(t.dir, 'state'), 'site');
    assert.equal(records.length, 1);
    const rec = records[0];
    assert.equal(rec.trigger, 'manual');
    assert.equal(rec.result, 'succeeded');
    assert.equal(rec.commit, commit);
  });

  it('an entry with pre_commands makes its first deploy (clone): pre_commands run in the repodir, made for them, never in a folder above it', () => {
    const r = whauto(['trigger', settings, 'fresh']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(readFileSync(join(t.dir, 'pre.cwd'), 'utf8').trim(), join(t.dir, 'not-yet', 'fresh'), 'the repodir, made before they run');
    assert.ok(existsSync(join(t.dir, 'not-yet', 'fresh', '.git')), 'cloned');
    const again = whauto(['trigger', settings, 'fresh']);
    assert.equal(again.status, 0);
    assert.equal(readFileSync(join(t.dir, 'pre.cwd'), 'utf8').trim(), join(t.dir, 'not-yet', 'fresh'), 'then in the workdir');
  });

  it('exits 1 when the run fails', () => {
    const r = whauto(['trigger', settings, 'broken']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /about to fail/);
    assert.match(r.stderr, /failed/);
  });

  it('--dry-run changes nothing and prints the remote tip, the commands, their cwd and WHAUTO_* values', () => {
    deployedOnce();
    const head = git(join(t.dir, 'site'), 'rev-parse', 'HEAD');
    const tip = remote.push('main');
    rmSync(join(t.dir, 'site.mark'));
    const r = whauto(['trigger', settings, 'site', '--dry-run']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(tip), `names the remote tip ${tip}:\n${r.stdout}`);
    assert.ok(r.stdout.includes('echo deployed-line'));
    assert.ok(r.stdout.includes(join(t.dir, 'site')), 'names the working directory');
    assert.match(r.stdout, /WHAUTO_ENTRY/);
    assert.doesNotMatch(r.stdout, /submodule/, 'no submodule step for a checkout without .gitmodules');
    assert.equal(git(join(t.dir, 'site'), 'rev-parse', 'HEAD'), head, 'checkout unchanged');
    assert.equal(git(join(t.dir, 'site'), 'rev-parse', 'refs/remotes/origin/main'), head, 'nothing fetched');
    assert.equal(existsSync(join(t.dir, 'site.mark')), false, 'no command ran');
  });

  it('--dry-run exits 1, saying why, when the run would fail at its git step (remote unreachable)', () => {
    const r = whauto(['trigger', settings, 'lost', '--dry-run']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /-> \(the remote tip, unknown\)/, 'the plan is still printed');
    assert.match(r.stderr, /^whauto trigger: dry run: the run would fail: the remote tip of branch main is unknown: .+\n$/);
    assert.equal(existsSync(join(t.dir, 'lost')), false, 'nothing cloned');
  });

  it('--dry-run exits 1 when the run would fail at its git step in the checkout (not a repository; ff-only and diverged)', () => {
    mkdirSync(join(t.dir, 'plain'));
    writeFileSync(join(t.dir, 'plain', 'index.html'), 'hi\n');
    const plain = whauto(['trigger', settings, 'plain', '--dry-run']);
    assert.equal(plain.status, 1, plain.stdout + plain.stderr);
    assert.equal(plain.stderr, `whauto trigger: dry run: the run would fail: repodir ${join(t.dir, 'plain')} is not a git repository: point repodir at the checkout, or empty it (or remove it) so that clone_url is cloned there\n`);

    const ff = join(t.dir, 'ff');
    assert.equal(whauto(['trigger', settings, 'ff']).status, 0);
    writeFileSync(join(ff, 'local.txt'), 'x\n');
    git(ff, 'add', 'local.txt');
    git(ff, 'commit', '-q', '-m', 'made on the server');
    remote.push('main');
    const r = whauto(['trigger', settings, 'ff', '--dry-run']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.stderr, `whauto trigger: dry run: the run would fail: branch main in ${ff} has diverged from origin/main; update ff-only refuses\n`);
    assert.match(r.stdout, /^git: would fail: branch main .* has diverged/m);
  });

  it('--no-wait exits 75 while another process holds the checkout; without it, trigger waits', async () => {
    const gate = join(t.dir, 'gate');
    writeFileSync(gate, '');
    const first = start(WHAUTO, ['trigger', settings, 'gated']);
    try {
      await waitFor('first trigger started its command', () => existsSync(join(t.dir, 'started')));
      const busy = whauto(['trigger', settings, 'gated', '--no-wait']);
      assert.equal(busy.status, 75, busy.stderr);
      assert.match(busy.stderr, /busy/);
      const dry = whauto(['trigger', settings, 'gated', '--no-wait', '--dry-run']);
      assert.equal(dry.status, 75, `the dry run predicts it\n${dry.stderr}`);
      assert.match(dry.stderr, /^whauto trigger: dry run: checkout \S+ is busy \(run \S+ of entry gated, pid \d+\): --no-wait would exit 75$/m);
      assert.equal(whauto(['trigger', settings, 'gated', '--dry-run']).status, 0, 'without --no-wait the dry run says the run would deploy');
      rmSync(gate);
      assert.equal(await first.exited, 0, first.stderr());
    } finally {
      rmSync(gate, { force: true });
      await first.stop();
    }
    const again = whauto(['trigger', settings, 'gated', '--no-wait']);
    assert.equal(again.status, 0, again.stderr);
  });

  it('a trigger killed with SIGKILL leaves its command running; the next trigger ends it before its own run', async () => {
    const first = start(WHAUTO, ['trigger', settings, 'killed']);
    const pidFile = join(t.dir, 'killed.pid');
    const pid = Number(await waitFor('the first run holds', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()));
    await first.stop('SIGKILL');
    assert.ok(running(pid), 'still there: nothing ended it');
    const next = whauto(['trigger', settings, 'killed']);
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stderr, /took over the stale lock of run \S+ \(process \d+ is gone\)/);
    assert.match(next.stderr, /ended \d+ process(es)? that run left running/);
    const seen = readFileSync(join(t.dir, 'killed.seen'), 'utf8').trim();
    assert.ok(seen === 'state=gone' || seen === 'state=Z', `the first run's command was still there (${seen}) when the next run ran`);
    // The next run deployed the same branch after it: the cut-off run is closed, not left for the daemon to run again.
    assert.match(next.stderr, /was cut off; this run deploys main after it, so it is recorded interrupted and not run again/);
    const records = runRecords(join(t.dir, 'state'), 'killed');
    assert.deepEqual(records.map((r) => r.result).sort(), ['interrupted', 'succeeded']);
    assert.match(records.find((r) => r.result === 'interrupted').message, /^cut off: process \d+ is gone; manual run \S+ deployed main after it$/);
  });

  it('refuses to run on a state dir that belongs to another user (exit 2), since the daemon could not update what it leaves', { skip: process.getuid?.() === 0 ? false : 'needs root to chown the state dir' }, () => {
    const dir = join(t.dir, 'foreign');
    mkdirSync(dir);
    const foreign = writeSettings(dir, { entries: { site: { provider: 'github', secret: 's', repo: 'acme/site', clone_url: remote.bare, repodir: join(dir, 'site'), commands: ['true'] } } });
    mkdirSync(join(dir, 'state'), { recursive: true });
    chownSync(join(dir, 'state'), 12345, 12345);
    const r = whauto(['trigger', foreign, 'site']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the state dir .* belongs to another user \(uid 12345\), not to you: run trigger as that user \(sudo -u '#12345' whauto trigger/);
    assert.equal(existsSync(join(dir, 'site')), false, 'nothing cloned');
    assert.deepEqual(readdirSync(join(dir, 'state')), [], 'nothing written in the state dir');
  });

  it('--branch and --tag must name what the entry deploys from a webhook too; not both at once', () => {
    deployedOnce();
    const head = git(join(t.dir, 'site'), 'rev-parse', 'HEAD');
    remote.pushTag('v9');
    const cases: Array<[string[], RegExp]> = [
      [['--tag', 'v9'], /does not deploy tags \(tags: false\)/],
      [['--branch', 'staging'], /does not deploy branch 'staging'/],
      [['--branch', 'main', '--tag', 'v9'], /not both/],
      [['--branch=-x'], /not a usable branch name/],
    ];
    for (const [args, message] of cases) {
      const r = whauto(['trigger', settings, 'site', ...args]);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
    assert.equal(git(join(t.dir, 'site'), 'rev-parse', 'HEAD'), head, 'nothing deployed');
  });

  it('an unknown entry or invalid settings exit 2', () => {
    const r = whauto(['trigger', settings, 'nope']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no entry named 'nope'/);
    // A name echoed back cannot act on the terminal.
    const esc = whauto(['trigger', settings, '\x1b[31mX']);
    assert.equal(esc.status, 2);
    assert.match(esc.stderr, /no entry named '\\u001b\[31mX'/);
    const bad = join(t.dir, 'bad.yaml');
    writeFileSync(bad, 'entries: [1, 2\n');
    const r2 = whauto(['trigger', bad, 'site']);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /bad\.yaml:\d+:\d+: error/);
  });
});
