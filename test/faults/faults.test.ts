// Faults during runs, against the built binary: each ends with the expected run result and a
// clear message in the run log, and afterwards a genuine delivery still deploys (the worker
// survives). One daemon, one entry per fault, plus a canary entry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/model/run-record.ts';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { rssKb, waitGone } from '../helpers/proc.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { runProcess, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { finishedRun, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'faults-secret';
const REPO = 'acme/site';
const isRoot = process.getuid?.() === 0;

describe('faults: each run fails (or copes) clearly and the next delivery still deploys', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  let state: string;
  const dir = (name: string): string => join(t.dir, name);

  const runs = (entry: string): RunRecord[] => runRecords(state, entry);

  /** Delivers a push of `branch` to `entry` and waits for the run it queued to finish. */
  async function deliver(entry: string, branch = 'main'): Promise<{ run: RunRecord; log: string }> {
    const d = pushDelivery('github', { repo: REPO, branch }, SECRET);
    const res = await post(`${daemon.base}/webhook/${entry}`, d.headers, d.body);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    const run: RunRecord = await finishedRun(state, entry, res.json.runs[0].id, 60_000);
    return { run, log: readFileSync(run.logFile, 'utf8') };
  }

  /** A genuine push and delivery to the canary entry deploys the pushed commit. */
  async function stillDeploys(): Promise<void> {
    const commit = remote.push('main');
    const { run } = await deliver('canary');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(git(dir('canary'), 'rev-parse', 'HEAD'), commit);
  }

  before(async () => {
    t = tempDir('whauto-faults-');
    state = dir('state');
    remote = makeRemote(dir('forge'));
    remote.push('main');
    const entry = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      provider: 'github', secret: SECRET, repo: REPO, branch: 'main', repodir: dir(name), clone_url: remote.bare,
      commands: ['true'], ...extra,
    });
    // Checkouts that exist before the daemon starts.
    for (const name of ['unreachable', 'deleted', 'dubious', 'dirty-reset', 'dirty-ff', 'lock']) git(t.dir, 'clone', '-q', remote.bare, dir(name));
    mkdirSync(dir('not-a-repo'));
    writeFileSync(join(dir('not-a-repo'), 'index.html'), 'hand-made\n');
    const settings = writeSettings(t.dir, {
      max_log: '1mb',
      entries: {
        canary: entry('canary'),
        unreachable: entry('unreachable'),
        deleted: entry('deleted', { branch: 'doomed' }),
        'not-a-repo': entry('not-a-repo'),
        dubious: entry('dubious'),
        'dirty-reset': entry('dirty-reset'),
        'dirty-ff': entry('dirty-ff', { update: 'ff-only' }),
        'no-workdir': entry('no-workdir', { workdir: dir('no-such-dir') }),
        'not-found': entry('not-found', { commands: [['whauto-no-such-command-9d1e']] }),
        'not-found-sh': entry('not-found-sh', { commands: ['whauto-no-such-command-9d1e --flag'] }),
        'exits': entry('exits', { commands: ['echo about to fail', 'exit 3', 'echo never'] }),
        'loud': entry('loud', {
          env: { GATE: dir('loud.gate') },
          // 50 MB of output in 1000-byte lines, then hold until the test opens the gate.
          commands: ['head -c 52428800 /dev/zero | tr "\\000" x | fold -w 999; while [ -e "$GATE" ]; do sleep 0.05; done'],
        }),
        'stubborn': entry('stubborn', {
          env: { PIDS: dir('stubborn.pids') },
          commands: [{ run: 'trap "" TERM; echo $$ > "$PIDS"; sleep 300 & echo $! >> "$PIDS"; wait', timeout: '1s' }],
        }),
        'stray': entry('stray', {
          env: { PIDS: dir('stray.pids') },
          commands: ['sleep 300 & echo $! > "$PIDS"; echo started a background child'],
        }),
        lock: entry('lock'),
      },
    });
    daemon = await startDaemon(settings);
    await stillDeploys();
  });
  after(async () => {
    await daemon?.stop();
    if (existsSync(dir('dubious'))) runProcess('chown', ['-R', String(process.getuid?.() ?? 0), dir('dubious')]);
    t?.cleanup();
  });

  it('the remote is unreachable: failed, "cannot reach remote"; deploys again once it is back', async () => {
    git(dir('unreachable'), 'remote', 'set-url', 'origin', dir('no-such-remote.git'));
    const { run, log } = await deliver('unreachable');
    assert.equal(run.result, 'failed');
    assert.match(run.message!, /git update: cannot reach remote origin/);
    assert.match(log, /==> failed: git update: cannot reach remote origin/);
    await stillDeploys();
    git(dir('unreachable'), 'remote', 'set-url', 'origin', remote.bare);
    const again = await deliver('unreachable');
    assert.equal(again.run.result, 'succeeded', again.run.message ?? '');
  });

  it('the remote branch was deleted: failed, "does not exist on remote (deleted?)"', async () => {
    remote.push('doomed');
    git(dir('deleted'), 'fetch', '-q', 'origin');
    git(dir('deleted'), 'checkout', '-q', '-b', 'doomed', 'origin/doomed');
    git(remote.work, 'push', '-q', 'origin', ':refs/heads/doomed');
    const { run, log } = await deliver('deleted', 'doomed');
    assert.equal(run.result, 'failed');
    assert.match(run.message!, /branch doomed does not exist on remote origin \(deleted\?\)/);
    assert.match(log, /does not exist on remote/);
    await stillDeploys();
  });

  it('the checkout is not a git repository: failed, "is not a git repository", nothing touched', async () => {
    const { run, log } = await deliver('not-a-repo');
    assert.equal(run.result, 'failed');
    assert.match(run.message!, /repodir .*not-a-repo is not a git repository/);
    assert.match(log, /is not a git repository/);
    assert.deepEqual(readdirSync(dir('not-a-repo')), ['index.html']);
    await stillDeploys();
  });

  it('the checkout belongs to another user: failed, git\'s "dubious ownership" explained', { skip: isRoot ? false : 'needs root to chown the checkout to another user' }, async () => {
    chownSync(dir('dubious'), 12345, 12345);
    const { run, log } = await deliver('dubious');
    assert.equal(run.result, 'failed');
    assert.match(run.message!, /dubious ownership/);
    assert.match(run.message!, /safe\.directory/);
    assert.match(log, /dubious ownership/);
    await stillDeploys();
  });

  it('local changes: update reset discards them and deploys', async () => {
    writeFileSync(join(dir('dirty-reset'), 'README'), 'edited on the server\n');
    const commit = remote.push('main');
    const { run, log } = await deliver('dirty-reset');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(run.commit, commit);
    assert.equal(readFileSync(join(dir('dirty-reset'), 'README'), 'utf8'), 'initial\n');
    assert.match(log, /checkout --force -B main/);
  });

  it('local changes: update ff-only refuses, changing nothing', async () => {
    const head = git(dir('dirty-ff'), 'rev-parse', 'HEAD');
    writeFileSync(join(dir('dirty-ff'), 'README'), 'edited on the server\n');
    remote.push('main');
    const { run, log } = await deliver('dirty-ff');
    assert.equal(run.result, 'failed');
    assert.match(run.message!, /has local changes to README; update ff-only refuses/);
    assert.match(log, /has local changes/);
    assert.equal(git(dir('dirty-ff'), 'rev-parse', 'HEAD'), head);
    assert.equal(readFileSync(join(dir('dirty-ff'), 'README'), 'utf8'), 'edited on the server\n');
    await stillDeploys();
  });

  it('workdir does not exist: failed, "workdir … does not exist"', async () => {
    const { run, log } = await deliver('no-workdir');
    assert.equal(run.result, 'failed');
    assert.match(run.message!, /workdir .*no-such-dir does not exist/);
    assert.match(log, /workdir .*no-such-dir does not exist/);
    await stillDeploys();
  });

  it('a command is not found: failed, "command not found" (argv) or exit 127 with the shell\'s word (string)', async () => {
    const argv = await deliver('not-found');
    assert.equal(argv.run.result, 'failed');
    assert.match(argv.run.message!, /command not found: whauto-no-such-command-9d1e/);
    assert.match(argv.log, /command not found: whauto-no-such-command-9d1e/);
    const sh = await deliver('not-found-sh');
    assert.equal(sh.run.result, 'failed');
    assert.match(sh.run.message!, /exited with 127/);
    assert.match(sh.log, /whauto-no-such-command-9d1e: .*not found/);
    await stillDeploys();
  });

  it('a command exits non-zero: failed, "exited with 3", later commands skipped', async () => {
    const { run, log } = await deliver('exits');
    assert.equal(run.result, 'failed');
    assert.equal(run.message, 'commands `exit 3` exited with 3');
    assert.match(log, /about to fail/);
    assert.doesNotMatch(log, /never/);
    await stillDeploys();
  });

  it('a command prints 50 MB: the run log is capped, the daemon answers meanwhile and its memory stays bounded', async () => {
    const gate = dir('loud.gate');
    writeFileSync(gate, '');
    const startRss = rssKb(daemon.proc.pid!);
    const before = runs('loud').length;
    const d = pushDelivery('github', { repo: REPO, branch: 'main' }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/loud`, d.headers, d.body)).status, 202);
    const run = await waitFor('the loud run started', () => runs('loud')[before], 30_000);
    // Past the cut note, the rest of the 50 MB still streams through the daemon's log.
    await waitFor('the log cut note', () => existsSync(run.logFile) && readFileSync(run.logFile, 'utf8').includes('log cut at'), 120_000);
    const health = await fetch(`${daemon.base}/healthz`);
    assert.equal(health.status, 200);
    const bound = 2 * startRss + 20 * 1024;
    await waitFor(`daemon VmRSS under ${bound} kB`, () => rssKb(daemon.proc.pid!) < bound, 30_000);
    rmSync(gate);
    const done = await waitFor('the loud run finished', () => runs('loud').find((r) => r.id === run.id && r.result !== 'running'), 60_000);
    assert.equal(done.result, 'succeeded', done.message ?? '');
    // The cap, then the last 50 lines not kept (at most 1000 characters each) and the result line.
    assert.ok(statSync(done.logFile).size <= 1024 * 1024 + 50 * 1004 + 300, `log size ${statSync(done.logFile).size}`);
    assert.match(readFileSync(done.logFile, 'utf8'), /… log cut at 1048576 bytes/);
    await stillDeploys();
  });

  it('a command ignores SIGTERM: it is killed by SIGKILL after the grace period; "timed out after 1s"', async () => {
    const { run, log } = await deliver('stubborn');
    assert.equal(run.result, 'timed out');
    assert.match(run.message!, /timed out after 1s/);
    assert.match(log, /==> timed out: .*timed out after 1s/);
    assert.equal(run.steps.at(-1)!.signal, 'SIGKILL');
    const pids = readFileSync(dir('stubborn.pids'), 'utf8').split('\n').filter(Boolean).map(Number);
    assert.equal(pids.length, 2);
    for (const pid of pids) await waitGone(pid);
    await stillDeploys();
  });

  it('a command leaves a background child: the run succeeds, the child is ended, the log says so', async () => {
    const { run, log } = await deliver('stray');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.match(log, /started a background child/);
    assert.match(log, /left processes running in its process group; they were ended/);
    const child = Number(readFileSync(dir('stray.pids'), 'utf8').trim());
    assert.ok(child > 0);
    await waitGone(child);
    await stillDeploys();
  });

  it('a lock file left by a dead process is taken over', async () => {
    // A pid that surely is no process: one that ran and was reaped.
    const dead = runProcess('sh', ['-c', 'echo $$']).stdout.trim();
    const key = realpathSync(dir('lock'));
    const file = join(state, 'locks', `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.lock`);
    mkdirSync(join(state, 'locks'), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: Number(dead), entry: 'lock', runId: 'crashed-run', since: new Date(0).toISOString() }));
    const commit = remote.push('main');
    const { run } = await deliver('lock');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(run.commit, commit);
    // The lock goes just after the final record is written: wait for it rather than race it.
    await waitFor('the lock released after the run', () => !existsSync(file));
    await daemon.waitForLine(/stale checkout lock taken over .*dead_pid=\d+ run=crashed-run/);
    await stillDeploys();
  });

  it('the state dir cannot take a delivery (even as root): 500 naming no server path, nothing runs; then it deploys again', async () => {
    // A file where the queue folder was: every write under it fails (ENOTDIR), root or not.
    const queueDir = join(state, 'queue');
    rmSync(queueDir, { recursive: true, force: true });
    writeFileSync(queueDir, '');
    const refused = pushDelivery('github', { repo: REPO, branch: 'main' }, SECRET);
    const res = await post(`${daemon.base}/webhook/canary`, refused.headers, refused.body);
    assert.equal(res.status, 500);
    assert.equal(res.json.status, 'error');
    assert.match(res.json.reason, /cannot record the delivery in the state dir/);
    const text = JSON.stringify(res.json);
    assert.ok(!text.includes(t.dir) && !text.includes('ENOTDIR'), `the answer shows server details: ${text}`);
    await daemon.waitForLine(/run not queued: the state dir cannot be written .*entry=canary .*error=/);
    await daemon.waitForLine(/delivery .*entry=canary .*answer=500 .*error=.*ENOTDIR/);
    // Not healthy while nothing can be accepted.
    const sick = await fetch(`${daemon.base}/healthz`);
    assert.equal(sick.status, 500);
    assert.match(((await sick.json()) as { reason: string }).reason, /the state dir cannot be written/);

    rmSync(queueDir);
    mkdirSync(queueDir);
    const commit = remote.push('main');
    const { run } = await deliver('canary');
    assert.equal(run.commit, commit);
    assert.equal((await fetch(`${daemon.base}/healthz`)).status, 200, 'healthy again once a delivery is recorded');
    // Whichever order things came in, the refused delivery rode along in no run.
    const refusedId = refused.headers['x-github-delivery'];
    for (const r of runs('canary')) assert.ok(!r.deliveries.some((d) => d.deliveryId === refusedId), `run ${r.id} ran the refused delivery`);
  });

  it('a run that cannot be recorded makes /healthz 500 until one can', async () => {
    // A file where the entry's runs folder was: the run's records fail (ENOTDIR), root or not.
    const runsDir = join(state, 'runs', 'canary');
    rmSync(runsDir, { recursive: true, force: true });
    writeFileSync(runsDir, '');
    const d = pushDelivery('github', { repo: REPO, branch: 'main' }, SECRET);
    const unrecorded = await post(`${daemon.base}/webhook/canary`, d.headers, d.body);
    assert.equal(unrecorded.status, 202, 'the delivery itself is recorded');
    await daemon.waitForLine(/cannot write run record .*entry=canary/);
    await waitFor('/healthz 500', async () => (await fetch(`${daemon.base}/healthz`)).status === 500);
    // That run ends first: its final record must not land in the runs folder made again below.
    await daemon.waitForLine(new RegExp(`run finished .*run=${unrecorded.json.runs[0].id}`));

    rmSync(runsDir);
    const commit = remote.push('main');
    const { run } = await deliver('canary');
    assert.equal(run.commit, commit);
    assert.equal((await fetch(`${daemon.base}/healthz`)).status, 200, 'healthy again once a run is recorded');
  });
});

describe('faults: a state dir that cannot be written at start', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir('whauto-faults-state-'); });
  after(() => t.cleanup());

  /** Runs `whauto serve` with `stateDir` and returns its exit code and output. */
  async function serve(stateDir: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const settings = writeSettings(t.dir, {
      state_dir: stateDir,
      entries: { site: { provider: 'github', secret: SECRET, repo: REPO, branch: 'main', repodir: join(t.dir, 'site'), commands: ['true'] } },
    });
    const r = whauto(['serve', settings]);
    return { code: r.status, stderr: r.stderr, stdout: r.stdout };
  }

  it('a state dir under a file (works as root too): exit 2, one clear line, no stack trace', async () => {
    const file = join(t.dir, 'a-file');
    writeFileSync(file, '');
    const r = await serve(join(file, 'state'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^whauto serve: state dir .*a-file\/state is not usable/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(r.stdout, '');
  });

  it('a read-only state dir (as a normal user: chmod): exit 2, "not writable"', { skip: isRoot ? 'root writes through chmod; the test above covers root' : false }, async () => {
    const ro = join(t.dir, 'ro');
    mkdirSync(ro, { mode: 0o555 });
    const r = await serve(join(ro, 'state'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /state dir .* is not usable: not writable \(EACCES\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
