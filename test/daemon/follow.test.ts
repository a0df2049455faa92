// `whauto status SETTINGS ENTRY --log --follow [RUN]`: the log as it is written, the run's
// result as the exit code; and the daemon's log tells of runs other processes start.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver, plainEntry } from './lib.ts';
import { waitFor } from '../helpers/wait.ts';
import { start, whauto, WHAUTO } from '../helpers/run.ts';
import { daemonSuite } from '../helpers/daemon.ts';
import { finishedRuns, runRecords } from '../helpers/state.ts';

/** Prints a line, holds while $GATE exists, prints two more and exits with the number in $CODE (0 when none). */
const SLOW = 'echo "line 1 of $WHAUTO_RUN_ID"; while [ -e "$GATE" ]; do sleep 0.05; done; echo "line 2"; echo "line 3"; exit "$(cat "$CODE" 2>/dev/null || echo 0)"';

interface Follower {
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

describe('status --log --follow', () => {
  const suite = daemonSuite((dir) => ({
    entries: {
      slow: plainEntry(dir, 'slow', [SLOW], { env: { GATE: join(dir, 'gate'), CODE: join(dir, 'code') } }),
    },
  }));

  function follow(...args: string[]): Follower {
    const child = start(WHAUTO, ['status', suite.settings, 'slow', '--log', '--follow', ...args]);
    return { pid: child.proc.pid!, stdout: child.stdout, stderr: child.stderr, exit: child.exited, kill: (s) => child.proc.kill(s) };
  }

  it('waits for the next run, prints each line as it is written and in order, and exits 0 when the run succeeded', async () => {
    const { dir, state, daemon } = suite;
    writeFileSync(join(dir, 'gate'), '');
    const f = follow('--timeout', '60s');
    await waitFor('the follower waits', () => /no run of entry 'slow' runs; waiting for it to start/.test(f.stderr()));
    const d = await deliver(daemon, 'slow');
    assert.equal(d.status, 202);
    const id = d.json.runs[0].id;
    await waitFor('line 1 followed', () => f.stdout().includes(`line 1 of ${id}\n`));
    assert.equal(runRecords(state, 'slow').find((r) => r.id === id)?.result, 'running', 'seen while the run still runs');
    assert.doesNotMatch(f.stdout(), /^line 2$/m);
    rmSync(join(dir, 'gate'));
    assert.equal(await f.exit, 0, f.stderr());
    const out = f.stdout();
    const at = ['==> commands:', `\nline 1 of ${id}\n`, '\nline 2\n', '\nline 3\n', '==> succeeded'].map((l) => out.indexOf(l));
    assert.ok(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!)), `in order:\n${out}`);
    assert.match(f.stderr(), new RegExp(`run ${id} succeeded`));
  });

  it('exits 1 when the run fails; a finished RUN is printed whole with its result as the exit code', async () => {
    const { dir, state, daemon } = suite;
    writeFileSync(join(dir, 'code'), '3');
    const f = follow();
    await waitFor('the follower waits', () => /waiting for it to start/.test(f.stderr()));
    const d = await deliver(daemon, 'slow');
    assert.equal(await f.exit, 1, f.stderr());
    assert.match(f.stdout(), /line 3\n[\s\S]*==> failed/);
    rmSync(join(dir, 'code'));
    const [ok, failed] = (await finishedRuns(state, 'slow', 2)).map((r) => r.id);
    assert.equal(failed, d.json.runs[0].id);
    for (const [run, code] of [[ok, 0], [failed, 1]] as const) {
      const r = whauto(['status', suite.settings, 'slow', '--log', '--follow', run!]);
      assert.equal(r.status, code, r.stderr);
      assert.match(r.stdout, new RegExp(`line 1 of ${run}\\nline 2\\nline 3\\n`));
    }
  });

  it('follows a run that waits by its id; --timeout bounds the wait (75); an unknown RUN is a usage error', async () => {
    const { dir, daemon } = suite;
    writeFileSync(join(dir, 'gate'), '');
    const running = await deliver(daemon, 'slow');
    await waitFor('a run holds', () => runRecords(suite.state, 'slow').some((r) => r.id === running.json.runs[0].id));
    const waiting = (await deliver(daemon, 'slow')).json.runs[0].id;
    assert.notEqual(waiting, running.json.runs[0].id);
    const f = follow(waiting);
    await waitFor('it waits for that run', () => new RegExp(`run ${waiting} waits to start`).test(f.stderr()));
    rmSync(join(dir, 'gate'));
    assert.equal(await f.exit, 0, f.stderr());
    assert.match(f.stdout(), new RegExp(`line 1 of ${waiting}\\n`));
    assert.doesNotMatch(f.stdout(), new RegExp(running.json.runs[0].id));

    const none = whauto(['status', suite.settings, 'slow', '--log', '--follow', '--timeout', '1s']);
    assert.equal(none.status, 75, none.stderr);
    assert.match(none.stderr, /no run of entry 'slow' started within 1s/);
    const unknown = whauto(['status', suite.settings, 'slow', '--log', '--follow', '20200101T000000000Z-0000']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no run '20200101T000000000Z-0000' of entry 'slow'/);
    const alone = whauto(['status', suite.settings, 'slow', '--follow']);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /--follow goes with --log/);
  });

  it('Ctrl-C ends the follow with 130 and the run goes on to succeed', async () => {
    const { dir, state, daemon } = suite;
    writeFileSync(join(dir, 'gate'), '');
    const id = (await deliver(daemon, 'slow')).json.runs[0].id;
    const f = follow(id);
    await waitFor('line 1 followed', () => f.stdout().includes(`line 1 of ${id}`));
    f.kill('SIGINT');
    assert.equal(await f.exit, 130);
    assert.equal(runRecords(state, 'slow').find((r) => r.id === id)?.result, 'running');
    rmSync(join(dir, 'gate'));
    await waitFor('the run succeeded', () => runRecords(state, 'slow').find((r) => r.id === id)?.result === 'succeeded');
  });

  it('the daemon log has run started / run finished lines, marked manual, for a run whauto trigger starts', async () => {
    const { daemon } = suite;
    const r = whauto(['trigger', suite.settings, 'slow']);
    assert.equal(r.status, 0, r.stderr);
    const id = /run (\S+) succeeded/.exec(r.stderr)![1]!;
    const started = await daemon.waitForLine(new RegExp(`run started entry=slow run=${id} trigger=manual ref=refs/heads/main pid=\\d+`));
    const finished = await daemon.waitForLine(new RegExp(`run finished entry=slow run=${id} trigger=manual result=succeeded`));
    assert.ok(daemon.lines.indexOf(started) < daemon.lines.indexOf(finished));
    assert.equal(daemon.lines.filter((l) => l.includes(`run=${id}`) && / run (started|finished) /.test(l)).length, 2, 'each said once');
  });
});
