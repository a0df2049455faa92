// End to end: the deploy rules of SPEC sections 3, 5 and 6 against the built binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { git, makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { waitGone } from '../helpers/proc.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { start, WHAUTO, whauto } from '../helpers/run.ts';
import { MARK_ENV, readMarker, writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { finishedRun, finishedRuns, lines, runRecords } from '../helpers/state.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'behaviour-secret';
const REPO = 'acme/site';

function github(branch: string, after = '2'.repeat(40), secret = SECRET) {
  return pushDelivery('github', { repo: REPO, branch, after }, secret);
}

describe('serve: what gets deployed and what does not', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  let state: string;
  let settingsFile: string;

  before(async () => {
    t = tempDir();
    state = join(t.dir, 'state');
    remote = makeRemote(join(t.dir, 'forge'));
    const common = { provider: 'github', secret: SECRET, repo: REPO, clone_url: remote.bare };
    const settings = settingsFile = writeSettings(t.dir, {
      workers: 2,
      entries: {
        staging: { ...common, branch: 'staging', repodir: join(t.dir, 'staging'), env: { MARKER: join(t.dir, 'staging.mark') }, commands: [MARK_ENV] },
        production: { ...common, branch: 'production', repodir: join(t.dir, 'production'), env: { MARKER: join(t.dir, 'production.mark') }, commands: [MARK_ENV] },
        failing: {
          ...common, repo: 'acme/failing', branch: 'main', repodir: join(t.dir, 'failing'),
          env: { OUT: join(t.dir, 'failing.out') },
          commands: ['echo first >> "$OUT"', 'exit 7', 'echo never >> "$OUT"'],
          post_commands: ['echo post >> "$OUT"'],
          on_failure: ['echo "failed step: $WHAUTO_FAILED_STEP" >> "$OUT"'],
        },
        // Deploys release tags only: no branch.
        releases: { ...common, repo: 'acme/releases', branch: [], tags: 'v*', repodir: join(t.dir, 'releases'), env: { MARKER: join(t.dir, 'releases.mark') }, commands: [MARK_ENV] },
        slowkill: {
          ...common, repo: 'acme/slowkill', branch: 'main', repodir: join(t.dir, 'slowkill'),
          env: { PIDS: join(t.dir, 'slowkill.pids') },
          commands: [{ run: 'sleep 300 & echo $! > "$PIDS"; sleep 300', timeout: '1s' }],
        },
      },
    });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  /** Delivers a push of `branch` (entry of that name) at `commit`, waits for its run, and checks the checkout is there. */
  async function deployed(branch: string, commit: string): Promise<void> {
    const d = github(branch, commit);
    const res = await post(`${daemon.base}/webhook/${branch}`, d.headers, d.body);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    const run = await finishedRun(state, branch, res.json.runs[0].id);
    assert.equal(run.result, 'succeeded', run.message);
    assert.equal(git(join(t.dir, branch), 'rev-parse', 'HEAD'), commit);
  }

  it('two entries on one repository deploy only their own branch (per-entry URLs and the single URL)', async () => {
    const s = remote.push('staging');
    const res = await post(`${daemon.base}/webhook`, github('staging', s).headers, github('staging', s).body);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    assert.deepEqual(res.json.runs.map((r: any) => r.entry), ['staging']);
    const m = await waitFor('staging marker', () => readMarker(join(t.dir, 'staging.mark')));
    assert.equal(m['WHAUTO_AFTER'], s);
    assert.equal(existsSync(join(t.dir, 'production')), false, 'production was not touched');

    const p = remote.push('production');
    const d = github('production', p);
    const res2 = await post(`${daemon.base}/webhook/production`, d.headers, d.body);
    assert.equal(res2.status, 202);
    const m2 = await waitFor('production marker', () => readMarker(join(t.dir, 'production.mark')));
    assert.equal(m2['WHAUTO_AFTER'], p);
    assert.equal(git(join(t.dir, 'production'), 'symbolic-ref', '--short', 'HEAD'), 'production');
    assert.equal(git(join(t.dir, 'staging'), 'rev-parse', 'HEAD'), s, 'staging stays at its own commit');
  });

  it('an entry with branch: [] deploys its tags only: a tag push deploys, a branch push is ignored, trigger asks for --tag', async () => {
    const commit = remote.pushTag('v1.0');
    const tagged = pushDelivery('github', { repo: 'acme/releases', branch: 'v1.0', tag: true, after: commit }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/releases`, tagged.headers, tagged.body)).status, 202);
    await waitFor('the tag deployed', () => readMarker(join(t.dir, 'releases.mark'))?.['WHAUTO_TAG'] === 'v1.0');
    assert.equal(git(join(t.dir, 'releases'), 'rev-parse', 'HEAD'), commit);
    const branch = pushDelivery('github', { repo: 'acme/releases', branch: 'main' }, SECRET);
    const ignored = await post(`${daemon.base}/webhook/releases`, branch.headers, branch.body);
    assert.equal(ignored.status, 200);
    assert.match(ignored.json.reason, /entry 'releases' does not deploy branch 'main'/);
    const r = whauto(['trigger', settingsFile, 'releases', '--dry-run']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /deploys tags only \(branch: \[\]\); give --tag NAME/);
  });

  it('a push to another branch is ignored with 200 and runs nothing', async () => {
    const before = runRecords(state, 'staging').length;
    const d = github('feature/x');
    const res = await post(`${daemon.base}/webhook/staging`, d.headers, d.body);
    assert.equal(res.status, 200);
    assert.equal(res.json.status, 'ignored');
    assert.match(res.json.reason, /does not deploy branch 'feature\/x'/);
    assert.equal(runRecords(state, 'staging').length, before);
    assert.equal(existsSync(join(state, 'queue', 'staging.json')), false, 'nothing queued');
  });

  it('a bad signature gets 403 and runs nothing; a missing one 401', async () => {
    const before = runRecords(state, 'staging').length;
    const d = github('staging', '3'.repeat(40), 'not-the-secret');
    const res = await post(`${daemon.base}/webhook/staging`, d.headers, d.body);
    assert.equal(res.status, 403);
    assert.equal(JSON.stringify(res.json).includes(SECRET), false);
    const unsigned = github('staging');
    delete unsigned.headers['x-hub-signature-256'];
    const res2 = await post(`${daemon.base}/webhook/staging`, unsigned.headers, unsigned.body);
    assert.equal(res2.status, 401);
    assert.equal(runRecords(state, 'staging').length, before);
  });

  it('a force push deploys the rewritten branch', async () => {
    const first = remote.push('staging', 'force.txt', 'one\n');
    await deployed('staging', first);
    git(remote.work, 'reset', '-q', '--hard', 'HEAD~1');
    const rewritten = remote.push('staging', 'force.txt', 'rewritten\n', { force: true });
    await deployed('staging', rewritten);
    assert.equal(readFileSync(join(t.dir, 'staging', 'force.txt'), 'utf8'), 'rewritten\n');
  });

  it('a missing checkout is cloned from clone_url', async () => {
    rmSync(join(t.dir, 'production'), { recursive: true, force: true });
    await deployed('production', remote.push('production'));
  });

  it('a failing command fails the run, skips the rest and post_commands, and runs on_failure', async () => {
    remote.push('main');
    const d = pushDelivery('github', { repo: 'acme/failing', branch: 'main' }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/failing`, d.headers, d.body)).status, 202);
    const [rec] = await finishedRuns(state, 'failing', 1);
    assert.equal(rec.result, 'failed');
    assert.deepEqual(lines(join(t.dir, 'failing.out')), ['first', 'failed step: commands: exit 7']);
    assert.match(readFileSync(rec.logFile, 'utf8'), /exit 7/);
  });

  it('a command past its timeout is killed together with its children', async () => {
    remote.push('main');
    const d = pushDelivery('github', { repo: 'acme/slowkill', branch: 'main' }, SECRET);
    assert.equal((await post(`${daemon.base}/webhook/slowkill`, d.headers, d.body)).status, 202);
    const [rec] = await finishedRuns(state, 'slowkill', 1);
    assert.equal(rec.result, 'timed out');
    assert.match(rec.message, /timed out after 1s/);
    const child = Number(lines(join(t.dir, 'slowkill.pids'))[0]);
    assert.ok(child > 0);
    await waitGone(child);
  });
});

describe('serve: bursts coalesce and trigger waits for the daemon', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  let settings: string;
  let state: string;

  before(async () => {
    t = tempDir();
    state = join(t.dir, 'state');
    remote = makeRemote(join(t.dir, 'forge'));
    settings = writeSettings(t.dir, {
      entries: {
        slow: {
          provider: 'github', secret: SECRET, repo: REPO, branch: 'main', repodir: join(t.dir, 'slow'), clone_url: remote.bare,
          env: { LOG: join(t.dir, 'slow.log'), GATE: join(t.dir, 'gate') },
          // Holds the checkout until the test removes the gate file, so no timing is assumed.
          commands: ['echo "start $WHAUTO_TRIGGER" >> "$LOG"; while [ -e "$GATE" ]; do sleep 0.05; done; echo "end $WHAUTO_TRIGGER" >> "$LOG"'],
        },
      },
    });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('a burst of 20 deliveries during a run yields exactly one more run, standing for all 20', async () => {
    const gate = join(t.dir, 'gate');
    writeFileSync(gate, '');
    remote.push('main');
    const d = github('main');
    const first = await post(`${daemon.base}/webhook/slow`, d.headers, d.body);
    assert.equal(first.status, 202, JSON.stringify(first.json));
    await waitFor('first run started', () => lines(join(t.dir, 'slow.log')).length === 1);
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const b = github('main', String((i % 9) + 1).repeat(40));
      const res = await post(`${daemon.base}/webhook/slow`, b.headers, b.body);
      assert.equal(res.status, 202);
      ids.add(res.json.runs[0].id);
    }
    assert.equal(ids.size, 1, 'all 20 joined one waiting run');
    rmSync(gate);
    const runs = await finishedRuns(state, 'slow', 2);
    // Every delivery was answered, so on disk before the gate opened: with nothing running and
    // nothing waiting, no further run can come.
    const shown = whauto(['status', settings, 'slow', '--json']);
    assert.equal(shown.status, 0, shown.stderr);
    const slow = JSON.parse(shown.stdout).entries[0];
    assert.deepEqual([slow.running, slow.waiting], [[], null], 'nothing runs or waits');
    assert.equal(runRecords(state, 'slow').length, 2, 'exactly two runs');
    // It counts all 20 and keeps the newest 10 whole (a run record stays bounded).
    assert.equal(runs[1].deliveryCount, 20);
    assert.equal(runs[1].deliveries.length, 10);
    assert.equal(runs[1].deliveries.at(-1).after, String((19 % 9) + 1).repeat(40), 'the newest last');
    assert.deepEqual(lines(join(t.dir, 'slow.log')), ['start webhook', 'end webhook', 'start webhook', 'end webhook']);
  });

  it('trigger while the daemon runs the same entry waits for it, then runs (manual)', async () => {
    const gate = join(t.dir, 'gate');
    writeFileSync(gate, '');
    writeFileSync(join(t.dir, 'slow.log'), '');
    const d = github('main');
    assert.equal((await post(`${daemon.base}/webhook/slow`, d.headers, d.body)).status, 202);
    await waitFor('daemon run started', () => lines(join(t.dir, 'slow.log')).length === 1);
    const trigger = start(WHAUTO, ['trigger', settings, 'slow']);
    try {
      await waitFor('trigger says it waits', () => /waiting for run/.test(trigger.stderr()));
      assert.deepEqual(lines(join(t.dir, 'slow.log')), ['start webhook'], 'the trigger has not started beside the daemon run');
      rmSync(gate);
      assert.equal(await trigger.exited, 0, trigger.stderr());
    } finally {
      await trigger.stop();
    }
    assert.deepEqual(lines(join(t.dir, 'slow.log')), ['start webhook', 'end webhook', 'start manual', 'end manual']);
  });
});
