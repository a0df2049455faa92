// Issue 4, point 3: `whauto status` while the daemon runs and when it does not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutKey } from '../../src/checkouts/checkout-key.ts';
import { tryLock } from '../../src/checkouts/lock.ts';
import { loadSettings } from '../../src/settings/load.ts';
import { daemonSuite } from '../helpers/daemon.ts';
import { runProcess, WHAUTO } from '../helpers/run.ts';
import { finishedRun, finishedRuns, lines, runRecords } from '../helpers/state.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, GATED, plainEntry, status } from './lib.ts';

describe('status', () => {
  const suite = daemonSuite((dir) => ({
    entries: {
      held: plainEntry(dir, 'held', ['echo "first step of $WHAUTO_RUN_ID"', GATED]),
      quiet: plainEntry(dir, 'quiet', ['echo quiet']),
    },
  }));

  it('while the daemon runs: the running run with its step, and the waiting run', async () => {
    const { dir, settings, state, daemon } = suite;
    writeFileSync(join(dir, 'gate'), '');
    const first = await deliver(daemon, 'held');
    assert.equal(first.status, 202);
    await waitFor('held running', () => lines(join(dir, 'count')).length === 1);
    const second = await deliver(daemon, 'held');
    assert.equal(second.status, 202);

    const j = status(settings, '--json');
    assert.equal(j.code, 0, j.stderr);
    const s = JSON.parse(j.stdout);
    assert.equal(s.state_dir, state);
    const held = s.entries.find((e: any) => e.entry === 'held');
    assert.equal(held.running.length, 1);
    assert.equal(held.running[0].id, first.json.runs[0].id);
    assert.equal(held.running[0].trigger, 'webhook');
    assert.match(held.running[0].step, /^commands: echo "\$WHAUTO_ENTRY/, 'the second command is the step running');
    assert.ok(Date.parse(held.running[0].since) <= Date.now());
    assert.equal(held.running[0].log, join(state, 'runs', 'held', `${first.json.runs[0].id}.log`));
    assert.equal(held.waiting.id, second.json.runs[0].id);
    assert.equal(held.waiting.deliveries, 1);
    const quiet = s.entries.find((e: any) => e.entry === 'quiet');
    assert.deepEqual([quiet.running, quiet.waiting, quiet.runs], [[], null, []]);

    const text = status(settings, 'held');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`running  ${first.json.runs[0].id} \\(webhook\\) since \\d+s ago, step: commands: echo`));
    assert.match(text.stdout, new RegExp(`waiting  ${second.json.runs[0].id} \\(webhook\\) for main, 1 delivery, accepted .*; waits for the running run`));
    assert.doesNotMatch(text.stdout, /quiet/, 'only the entry asked for');

    rmSync(join(dir, 'gate'));
    await finishedRuns(state, 'held', 2);
  });

  it('when the daemon does not run: the last runs, --runs N, --log [RUN], a cut-off run', async () => {
    const { settings, state, daemon } = suite;
    // Two runs of held of this test's own (no gate: each ends at once), and one of quiet.
    for (const after of ['6', '7']) {
      const res = await deliver(daemon, 'held', after.repeat(40));
      assert.equal(res.status, 202);
      await finishedRun(state, 'held', res.json.runs[0].id);
    }
    assert.equal((await deliver(daemon, 'quiet')).status, 202);
    await finishedRuns(state, 'quiet', 1);
    assert.equal(await daemon.stop(), 0);
    const runs = runRecords(state, 'held').slice(-2);

    const s = JSON.parse(status(settings, '--json', '--runs', '2').stdout);
    const held = s.entries.find((e: any) => e.entry === 'held');
    assert.deepEqual([held.running, held.waiting], [[], null]);
    assert.deepEqual(held.runs.map((r: any) => r.id), [runs[1].id, runs[0].id], 'newest first');
    for (const r of held.runs) {
      assert.equal(r.result, 'succeeded');
      assert.equal(r.trigger, 'webhook');
      assert.ok(Number.isInteger(r.duration_ms) && r.duration_ms >= 0);
      assert.equal(r.log, join(state, 'runs', 'held', `${r.id}.log`));
    }
    const one = JSON.parse(status(settings, 'held', '--json', '--runs', '1').stdout);
    assert.deepEqual(one.entries[0].runs.map((r: any) => r.id), [runs[1].id]);

    const text = status(settings);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^held\n  idle\n/m);
    assert.match(text.stdout, new RegExp(`  ${runs[1].id}  webhook\\s+succeeded\\s+-\\s+\\d+(?:\\.\\d)?m?s  \\d+s ago\\n      log: ${join(state, 'runs', 'held', runs[1].id).replace(/[.]/g, '\\.')}\\.log`));

    const last = status(settings, 'held', '--log');
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stdout, new RegExp(`first step of ${runs[1].id}`));
    // Output with an escape sequence (a pusher's name can carry one): raw to a pipe, made visible on a terminal.
    appendFileSync(runs[1].logFile, 'pusher: \x1b[31mRED\x1b[0m\n');
    assert.ok(status(settings, 'held', '--log').stdout.includes('\x1b[31mRED'));
    const tty = runProcess('script', ['-qec', `${WHAUTO} status ${settings} held --log`, '/dev/null']);
    assert.equal(tty.status, 0, tty.stderr);
    assert.ok(tty.stdout.includes('pusher: \\u001b[31mRED\\u001b[0m'), tty.stdout);
    assert.ok(!tty.stdout.includes('\x1b[31m'), 'no raw escape on the terminal');
    const older = status(settings, 'held', '--log', runs[0].id);
    assert.match(older.stdout, new RegExp(`first step of ${runs[0].id}`));
    const missing = status(settings, 'held', '--log', 'no-such-run');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no run 'no-such-run' of entry 'held'/);
    assert.equal(status(settings, 'nope').code, 2);

    // A run recorded as running by a process that is gone: shown as cut off, resumed on start.
    const gone = runProcess('true', []).pid!;
    const cut = { ...runs[1], id: '20200101T000000000Z-dead', result: 'running', endedAt: null, pid: gone };
    writeFileSync(join(state, 'runs', 'held', `${cut.id}.json`), JSON.stringify(cut));
    // What a run leaves beside its record while it runs (a crash leaves it there).
    writeFileSync(join(state, 'runs', 'held', `${cut.id}.running`), '');
    assert.match(status(settings, 'held').stdout, /cut off  20200101T000000000Z-dead: its process \d+ is gone; the next daemon start deploys it again/);
    // A checkout held by a process status knows no run of (another settings file's run): its lock says who.
    const heldEntry = loadSettings(settings, {}).settings!.entries.find((e) => e.name === 'held')!;
    const foreign = tryLock(join(state, 'locks'), checkoutKey(heldEntry), { entry: 'elsewhere', runId: 'R-foreign' });
    assert.ok(!('heldBy' in foreign));
    try {
      assert.match(status(settings, 'held').stdout, new RegExp(`^  idle; its checkout is in use by run R-foreign of entry elsewhere \\(pid ${process.pid}\\)$`, 'm'));
    } finally {
      foreign.release();
    }
    const cutJson = JSON.parse(status(settings, 'held', '--json').stdout).entries[0].cut_off;
    assert.deepEqual(cutJson.map((c: any) => [c.id, c.resumed_by]), [['20200101T000000000Z-dead', 'the next daemon start']]);

    // A corrupt record (among the newest shown) is reported, skipped, and left for the daemon (status only reads).
    const bad = join(state, 'runs', 'held', '20991231T000000000Z-0bad.json');
    writeFileSync(bad, '{"id":');
    const withBad = status(settings, 'held');
    assert.equal(withBad.code, 0);
    assert.match(withBad.stderr, /corrupt state file .*0bad\.json skipped/);
    assert.equal(readFileSync(bad, 'utf8'), '{"id":');
    // Another entry's corrupt pending run is said for all entries, not for this one.
    const badPending = join(state, 'queue', 'quiet.json');
    writeFileSync(badPending, '{"id":');
    assert.doesNotMatch(status(settings, 'held').stderr, /quiet\.json/);
    assert.match(status(settings).stderr, /corrupt state file .*quiet\.json skipped/);
    rmSync(badPending);
  });
});
