// Issue 4, point 2: run history fields, the log cap, pruning, corrupt state files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { makeRemote, type Remote } from '../helpers/git.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { runProcess, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { filesIn, finishedRuns, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, plainEntry, SECRET } from './lib.ts';

const MAX_LOG = 4096;

describe('serve: run history', () => {
  let t: { dir: string; cleanup: () => void };
  let remote: Remote;
  let daemon: Daemon;
  let state: string;

  before(async () => {
    t = tempDir();
    state = join(t.dir, 'state');
    remote = makeRemote(join(t.dir, 'forge'));
    const settings = writeSettings(t.dir, {
      max_log: '4kb',
      keep_runs: 3,
      entries: {
        site: {
          provider: 'github', secret: SECRET, repo: 'acme/site', branch: 'main', repodir: join(t.dir, 'site'), clone_url: remote.bare,
          commands: ['echo "deploying $WHAUTO_AFTER"', ['true']],
        },
        failing: plainEntry(t.dir, 'failing', ['echo one', 'exit 3', 'echo never']),
        slow: plainEntry(t.dir, 'slow', [{ run: 'sleep 60', timeout: '1s' }]),
        noisy: plainEntry(t.dir, 'noisy', ['seq 1 100000', 'echo after-the-flood']),
        pruned: plainEntry(t.dir, 'pruned', ['echo "run $WHAUTO_RUN_ID"']),
      },
    });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('records id, entry, trigger, deliveries, event and ref, commits before and after, times, steps, result', async () => {
    const first = remote.push('main');
    const d1 = pushDelivery('github', { repo: 'acme/site', branch: 'main', before: '0'.repeat(40), after: first }, SECRET);
    const res1 = await post(`${daemon.base}/webhook/site`, d1.headers, d1.body);
    assert.equal(res1.status, 202);
    const [r1] = await finishedRuns(state, 'site', 1);
    const second = remote.push('main');
    const d2 = pushDelivery('github', { repo: 'acme/site', branch: 'main', before: first, after: second }, SECRET);
    const res2 = await post(`${daemon.base}/webhook/site`, d2.headers, d2.body);
    assert.equal(res2.status, 202);
    const [, r2] = await finishedRuns(state, 'site', 2);

    assert.equal(r1.commit, first);
    assert.equal(r2.id, res2.json.runs[0].id);
    assert.match(r2.id, /^\d{8}T\d{9}Z-[0-9a-f]{4}$/);
    assert.equal(r2.entry, 'site');
    assert.equal(r2.trigger, 'webhook');
    assert.deepEqual(r2.target, { kind: 'branch', name: 'main' });
    assert.equal(r2.deliveries.length, 1);
    const dv = r2.deliveries[0];
    assert.equal(dv.forge, 'github');
    assert.equal(dv.event, 'push');
    assert.equal(dv.deliveryId, d2.headers['x-github-delivery']);
    assert.equal(dv.ref, 'refs/heads/main');
    assert.equal(dv.before, first);
    assert.equal(dv.after, second);
    assert.equal(r2.previous, first, 'the commit before the run');
    assert.equal(r2.commit, second, 'the commit after the run');
    assert.ok(Date.parse(r2.startedAt) <= Date.parse(r2.endedAt));
    assert.deepEqual(r2.steps.map((s: any) => [s.kind, s.name, s.exitCode, s.ok]), [
      ['git', 'git update', 0, true],
      ['commands', 'echo "deploying $WHAUTO_AFTER"', 0, true],
      ['commands', 'true', 0, true],
    ]);
    for (const s of r2.steps) assert.ok(Number.isInteger(s.durationMs) && s.durationMs >= 0);
    assert.equal(r2.result, 'succeeded');
    assert.equal(r2.message, null);
    assert.equal(r2.step, null);
    assert.equal(r2.logFile, join(state, 'runs', 'site', `${r2.id}.log`));
    assert.match(readFileSync(r2.logFile, 'utf8'), new RegExp(`deploying ${second}`));
    assert.ok(existsSync(join(state, 'runs', 'site', `${r2.id}.payload`)), 'the raw payload is kept with the run');
  });

  it('a failing step is recorded with its exit status; the run is failed', async () => {
    assert.equal((await deliver(daemon, 'failing')).status, 202);
    const [r] = await finishedRuns(state, 'failing', 1);
    assert.equal(r.result, 'failed');
    assert.match(r.message, /exit 3.* exited with 3/);
    // update: none still records its (empty) git step.
    assert.deepEqual(r.steps.map((s: any) => [s.kind, s.name, s.exitCode, s.ok]), [
      ['git', 'no update (update: none)', 0, true], ['commands', 'echo one', 0, true], ['commands', 'exit 3', 3, false],
    ]);
  });

  it('a command past its timeout makes the run timed out', async () => {
    assert.equal((await deliver(daemon, 'slow')).status, 202);
    const [r] = await finishedRuns(state, 'slow', 1);
    assert.equal(r.result, 'timed out');
    assert.match(r.message, /timed out after 1s/);
    assert.deepEqual([r.steps.at(-1).name, r.steps.at(-1).ok], ['sleep 60', false]);
  });

  it('a run log is cut at max_log with a note; the daemon log is cut too, the run goes on', async () => {
    assert.equal((await deliver(daemon, 'noisy')).status, 202);
    const [r] = await finishedRuns(state, 'noisy', 1);
    assert.equal(r.result, 'succeeded', 'the cap stops the logging, not the run');
    const log = readFileSync(r.logFile, 'utf8');
    // Past the cap the log keeps whauto's own lines and, before each, the last 50 lines dropped.
    assert.ok(statSync(r.logFile).size <= MAX_LOG + 2000, `log is ${statSync(r.logFile).size} bytes`);
    assert.equal(log.split('log cut at 4096 bytes').length, 2, 'one note');
    const after = log.slice(log.indexOf('log cut at 4096 bytes')).trimEnd().split('\n');
    assert.deepEqual(after.slice(1, 2).map((l) => l.replace(/\d+ lines/, 'N lines')), ['… N lines not kept; the last 50:']);
    assert.deepEqual(after.slice(2, 52), Array.from({ length: 50 }, (_, i) => String(99951 + i)), 'the last lines of seq');
    assert.deepEqual(after.slice(52), ['==> commands: echo after-the-flood', '… 1 line not kept; the last 1:', 'after-the-flood', after.at(-1)]);
    assert.match(after.at(-1)!, /^==> succeeded in /);
    const outputLines = daemon.lines.filter((l) => l.includes(`run=${r.id}`) && / info output /.test(l));
    // The cap counts whole daemon log lines (time, entry, run id and all), not the output alone.
    const logged = outputLines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    assert.ok(outputLines.length > 10 && logged <= MAX_LOG * 1.25, `${outputLines.length} output lines, ${logged} bytes in the daemon log`);
    await daemon.waitForLine(new RegExp(`output cut from the daemon log.*run=${r.id}`));
  });

  it('keeps only the last keep_runs runs of an entry (records, logs, payloads)', async () => {
    for (let i = 1; i <= 5; i++) {
      assert.equal((await deliver(daemon, 'pruned', String(i).repeat(40))).status, 202);
      await waitFor(`run ${i} finished`, () => daemon.lines.filter((l) => /run finished .*entry=pruned/.test(l)).length === i);
    }
    await waitFor('pruned to 3', () => runRecords(state, 'pruned').length === 3);
    const kept = runRecords(state, 'pruned');
    assert.deepEqual(kept.map((r) => r.deliveries[0].after), ['3', '4', '5'].map((x) => x.repeat(40)), 'the newest three');
    const files = filesIn(state, 'runs/pruned');
    assert.equal(files.filter((f) => f.endsWith('.log')).length, 3, files.join(' '));
    assert.equal(files.filter((f) => f.endsWith('.payload')).length, 3, files.join(' '));
  });
});

describe('serve: corrupt or half-written state files are set aside, never a crash', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon | undefined;

  before(() => { t = tempDir(); });
  after(async () => {
    await daemon?.stop();
    t.cleanup();
  });

  it('reports each, moves it into corrupt/, and serves and runs as usual', async () => {
    const state = join(t.dir, 'state');
    const settings = writeSettings(t.dir, { entries: { a: plainEntry(t.dir, 'a', ['echo ok']), b: plainEntry(t.dir, 'b', ['echo ok']) } });
    mkdirSync(join(state, 'queue'), { recursive: true });
    mkdirSync(join(state, 'runs', 'a'), { recursive: true });
    writeFileSync(join(state, 'queue', 'a.json'), '{"id":"20260101T000000000Z-0000","entry":"a","trig'); // half-written
    writeFileSync(join(state, 'queue', 'b.json'), '{"id":"x","entry":"not-b"}'); // wrong shape
    writeFileSync(join(state, 'runs', 'a', '20260101T000000000Z-0001.json'), '\u0000\u0000garbage');
    writeFileSync(join(state, 'runs', 'a', '20260101T000000000Z-0002.json'), JSON.stringify({ id: '20260101T000000000Z-0002', entry: 'a', result: 'running' }));
    // FIFOs would block a reader for good: status and the daemon must not hang on them.
    mkdirSync(join(state, 'locks'), { recursive: true });
    for (const f of ['runs/a/20260101T000000000Z-0003.json', 'locks/0000.lock']) {
      assert.equal(runProcess('mkfifo', [join(state, f)]).status, 0);
    }
    const shown = whauto(['status', settings, 'a']);
    assert.equal(shown.status, 0, `status did not hang: ${shown.error?.message ?? shown.stderr}`);
    assert.match(shown.stderr, /corrupt state file .*-0003\.json skipped: not a regular file/);
    daemon = await startDaemon(settings);
    for (const f of ['queue/a.json', 'queue/b.json', 'runs/a/20260101T000000000Z-0001.json', 'runs/a/20260101T000000000Z-0002.json', 'runs/a/20260101T000000000Z-0003.json']) {
      await daemon.waitForLine(new RegExp(`warn corrupt state file set aside file=${join(state, f).replace(/[.]/g, '\\.')} moved_to=\\S+ error=`));
    }
    const aside = filesIn(state, 'corrupt');
    assert.equal(aside.length, 5, aside.join(' '));
    assert.deepEqual(filesIn(state, 'queue').filter((f) => !f.startsWith('journal-')), [], 'the corrupt old files are set aside');
    assert.equal((await deliver(daemon, 'a')).status, 202);
    const [r] = await finishedRuns(state, 'a', 1);
    assert.equal(r.result, 'succeeded');
    assert.equal(daemon.proc.exitCode, null, 'still running');
  });
});
