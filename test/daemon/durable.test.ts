// Issue 4, point 1: accepted means durable; a SIGKILLed daemon loses nothing on its next start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { writeSettings } from '../helpers/settings.ts';
import { running } from '../helpers/proc.ts';
import { listPending } from '../../src/state/pending.ts';
import { start, WHAUTO } from '../helpers/run.ts';
import { filesIn, lines, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, GATED, plainEntry, status } from './lib.ts';

describe('serve: a SIGKILL loses nothing that was accepted', () => {
  let t: { dir: string; cleanup: () => void };
  let settings: string;
  let state: string;
  const daemons: Daemon[] = [];

  before(() => {
    t = tempDir();
    state = join(t.dir, 'state');
    settings = writeSettings(t.dir, {
      workers: 2,
      entries: { a: plainEntry(t.dir, 'a', [GATED]), b: plainEntry(t.dir, 'b', [GATED]), c: plainEntry(t.dir, 'c', [GATED]) },
    });
  });
  after(async () => {
    rmSync(join(t.dir, 'gate'), { force: true });
    for (const d of daemons) await d.stop('SIGKILL');
    t.cleanup();
  });

  it('re-queues what waited, resumes a cut-off run, and runs nothing twice', async () => {
    const gate = join(t.dir, 'gate');
    const count = join(t.dir, 'count');
    writeFileSync(gate, '');
    const first = await startDaemon(settings);
    daemons.push(first);

    // a and c run (two workers) and hold; a gets three more deliveries (one waiting run), b waits for a worker.
    assert.equal((await deliver(first, 'a', '1'.repeat(40))).status, 202);
    assert.equal((await deliver(first, 'c', '1'.repeat(40))).status, 202);
    await waitFor('a and c running', () => lines(count).length === 2);
    const waitingIds = new Set<string>();
    const waitingNow = () => listPending(state, () => assert.fail('nothing corrupt')).map((p) => [p.entry, p.deliveryCount]);
    for (const [i, after] of ['2', '3', '4'].entries()) {
      const res = await deliver(first, 'a', after.repeat(40));
      assert.equal(res.status, 202);
      waitingIds.add(res.json.runs[0].id);
      // The 202 came after the waiting run, with this delivery, was in the journal.
      assert.deepEqual(waitingNow(), [['a', i + 1]]);
    }
    assert.equal(waitingIds.size, 1, 'the three deliveries joined one waiting run');
    const b = await deliver(first, 'b', '5'.repeat(40));
    assert.equal(b.status, 202);
    assert.deepEqual(waitingNow(), [['a', 3], ['b', 1]]);
    const pendingA = listPending(state, () => undefined).find((p) => p.entry === 'a')!;

    first.proc.kill('SIGKILL');
    await first.exited;
    // The killed daemon's commands are orphans now: let them end before the next start.
    rmSync(gate);
    await waitFor('the orphaned commands ended', () => lines(join(t.dir, 'ends')).length === 2);

    const second = await startDaemon(settings);
    daemons.push(second);
    await second.waitForLine(/cut-off run replaced by the waiting run .*entry=a/);
    await second.waitForLine(/cut-off run resumed .*entry=c/);
    await waitFor('every entry deployed once more', () => {
      const done = (e: string) => runRecords(state, e).filter((r) => r.result === 'succeeded').length;
      return done('a') === 1 && done('b') === 1 && done('c') === 1;
    });
    // Nothing waits and nothing runs: no further run can come.
    const s = JSON.parse(status(settings, '--json').stdout);
    for (const e of s.entries) {
      assert.equal(e.waiting, null, `${e.entry} waits`);
      assert.deepEqual(e.running, [], `${e.entry} runs`);
    }
    assert.deepEqual(waitingNow(), []);

    const started = lines(count);
    assert.equal(started.length, 5, started.join('\n'));
    assert.deepEqual(started.slice(0, 2).map((l) => l.split(' ').slice(0, 2).join(' ')).sort(), ['a webhook', 'c webhook']);
    assert.deepEqual(started.slice(2).map((l) => l.split(' ').slice(0, 2).join(' ')).sort(), ['a webhook', 'b webhook', 'c resumed']);

    const [cutA, runA] = runRecords(state, 'a');
    assert.equal(cutA.result, 'interrupted');
    assert.match(cutA.message, /cut off/);
    assert.equal(runA.trigger, 'webhook');
    assert.equal(runA.id, pendingA.id, 'the waiting run kept its id');
    assert.deepEqual(runA.deliveries.map((d: any) => d.after), ['1', '2', '3', '4'].map((x) => x.repeat(40)), 'it stands for the cut-off delivery too');
    assert.equal(runA.deliveryCount, 4);
    const [cutC, resumedC] = runRecords(state, 'c');
    assert.equal(cutC.result, 'interrupted');
    assert.equal(resumedC.trigger, 'resumed');
    assert.deepEqual(resumedC.deliveries.map((d: any) => d.deliveryId), cutC.deliveries.map((d: any) => d.deliveryId));
    const [runB] = runRecords(state, 'b');
    assert.equal(runB.deliveries[0].deliveryId, b.id);
    assert.equal(runB.trigger, 'webhook');
  });
});

describe('serve: what a SIGKILLed daemon left running is ended before the checkout is used again', () => {
  let t: { dir: string; cleanup: () => void };
  let settings: string;
  let state: string;
  const daemons: Daemon[] = [];
  // The first run holds (its shell and a background child, in the run's process group and out
  // of it), writing their pids; the resumed run notes whether any of them is still there.
  const command = [
    'if [ -e "$W/first" ]; then',
    // Running, not a zombie left for a slow PID 1 to reap (the comm fields here have no spaces).
    '  for p in $(cat "$W/pids"); do s=$(cut -d" " -f3 "/proc/$p/stat" 2>/dev/null); if [ -n "$s" ] && [ "$s" != Z ]; then echo "overlap $p" >> "$W/out"; fi; done',
    '  echo "resumed $WHAUTO_TRIGGER" >> "$W/out"',
    'else',
    '  touch "$W/first"',
    '  setsid sleep 300 & echo $! >> "$W/pids"',
    '  echo $$ >> "$W/pids"',
    '  while :; do sleep 0.05; done',
    'fi',
  ].join('\n');

  before(() => {
    t = tempDir();
    state = join(t.dir, 'state');
    settings = writeSettings(t.dir, { entries: { a: plainEntry(t.dir, 'a', [command], { env: { W: t.dir } }) } });
  });
  after(async () => {
    for (const d of daemons) await d.stop('SIGKILL');
    for (const p of lines(join(t.dir, 'pids'))) try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
    t.cleanup();
  });

  it('ends the cut-off run\'s processes, then resumes the run, without overlap', async () => {
    const first = await startDaemon(settings);
    daemons.push(first);
    assert.equal((await deliver(first, 'a')).status, 202);
    const pids = await waitFor('the first run holds', () => {
      const l = lines(join(t.dir, 'pids'));
      return l.length === 2 ? l.map(Number) : null;
    });
    first.proc.kill('SIGKILL');
    await first.exited;
    for (const p of pids) assert.ok(running(p), `process ${p} outlived the daemon`);

    const second = await startDaemon(settings);
    daemons.push(second);
    await second.waitForLine(/processes left by a cut-off run ended .*entry=a .*processes=[2-9]/);
    await waitFor('the resumed run', () => lines(join(t.dir, 'out')).includes('resumed resumed'));
    assert.deepEqual(lines(join(t.dir, 'out')), ['resumed resumed'], 'no process of the cut-off run was there when the resumed run ran');
    for (const p of pids) assert.ok(!running(p), `process ${p} still runs`);
    const [cut] = runRecords(state, 'a');
    assert.equal(cut.result, 'interrupted');
    assert.match(readFileSync(cut.logFile, 'utf8'), /==> whauto: \d+ process(es)? this run left running when it was cut off (was|were) ended/);
  });
});

describe('serve: a trigger killed while the daemon runs', () => {
  let t: { dir: string; cleanup: () => void };
  let settings: string;
  let state: string;
  let daemon: Daemon;

  before(async () => {
    t = tempDir();
    state = join(t.dir, 'state');
    // The first run (the trigger's) holds and writes its pid; the next notes whether it still runs.
    const command = 'if [ -e "$W/held.pid" ]; then s=$(cut -d" " -f3 "/proc/$(cat "$W/held.pid")/stat" 2>/dev/null); echo "state=${s:-gone}" > "$W/seen"; else echo $$ > "$W/held.pid"; while :; do sleep 0.05; done; fi';
    settings = writeSettings(t.dir, { entries: { a: plainEntry(t.dir, 'a', [command], { env: { W: t.dir } }) } });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    await daemon?.stop('SIGKILL');
    for (const p of lines(join(t.dir, 'held.pid'))) try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
    t.cleanup();
  });

  it('the daemon takes its run back by itself (no delivery needed): leftovers ended, then the run resumed', async () => {
    const trigger = start(WHAUTO, ['trigger', settings, 'a']);
    await waitFor('the trigger\'s run holds', () => lines(join(t.dir, 'held.pid')).length === 1);
    await trigger.stop('SIGKILL');
    // Its stale lock is seen within the daemon's 5 s look.
    await daemon.waitForLine(/cut-off run resumed .*entry=a/, 30_000);
    await daemon.waitForLine(/processes left by a cut-off run ended .*entry=a/);
    await waitFor('the resumed run looked', () => lines(join(t.dir, 'seen')).length === 1);
    assert.match(lines(join(t.dir, 'seen'))[0]!, /^state=(gone|Z)$/, 'the trigger\'s command was ended before the resumed run');
    const records = runRecords(state, 'a');
    const cut = records.find((r) => r.trigger === 'manual');
    assert.equal(cut.result, 'interrupted');
    assert.match(cut.message, /^cut off: process \d+ is gone/);
    await waitFor('the resumed run done', () => runRecords(state, 'a').some((r) => r.trigger === 'resumed' && r.result === 'succeeded'));
  });
});
