// The state dir removed under a running daemon: deliveries go on being accepted durably, the
// daemon makes it again and takes it again, so a second daemon still cannot use it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPending } from '../../src/state/pending.ts';
import { daemonSuite } from '../helpers/daemon.ts';
import { whauto } from '../helpers/run.ts';
import { finishedRuns, lines, runRecords } from '../helpers/state.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, GATED, plainEntry, status } from './lib.ts';

describe('serve: the state dir removed while the daemon runs', () => {
  const suite = daemonSuite((dir) => ({
    entries: {
      a: plainEntry(dir, 'a', ['echo deployed']),
      // A checkout to hold while the state dir goes.
      held: plainEntry(dir, 'held', [GATED], { repodir: join(dir, 'work', 'held'), update: 'none' }),
    },
  }));

  it('is made again: deliveries are still accepted and run, and a second daemon is still refused', async () => {
    const { dir, settings, state, daemon } = suite;
    rmSync(state, { recursive: true, force: true });
    assert.equal((await deliver(daemon, 'a')).status, 202, 'the queue folder is made again for the write');
    await finishedRuns(state, 'a', 1);
    await daemon.waitForLine(/warn the state dir was removed: made again/);
    assert.ok(existsSync(join(state, 'locks')));
    const second = whauto(['serve', settings]);
    assert.equal(second.status, 2);
    assert.match(second.stderr, /another daemon \(pid \d+\) uses the state dir/);
  });

  it('the checkout of a run going on is locked again: a trigger finds it busy', async () => {
    const { dir, settings, state, daemon } = suite;
    writeFileSync(join(dir, 'gate'), '');
    assert.equal((await deliver(daemon, 'held')).status, 202);
    await waitFor('held running', () => lines(join(dir, 'count')).length === 1);
    assert.equal((await deliver(daemon, 'held', '5'.repeat(40))).status, 202, 'a run waits');
    const made = daemon.lines.filter((l) => /the state dir was removed: made again/.test(l)).length;
    rmSync(state, { recursive: true, force: true });
    await waitFor('the state dir made again', () => daemon.lines.filter((l) => /the state dir was removed: made again/.test(l)).length > made, 20_000);
    // What the daemon holds is written again: the waiting run's file, the running run's record.
    await waitFor('the waiting run written again', () => listPending(state, () => undefined).some((p) => p.entry === 'held'));
    await waitFor('the running run recorded again', () => runRecords(state, 'held').length === 1);
    const busy = whauto(['trigger', settings, 'held', '--no-wait']);
    assert.equal(busy.status, 75, busy.stderr);
    // The run's log went with the state dir: status says so rather than point at nothing.
    const shown = status(settings, 'held');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /running .*\n\s+log: \S+ \(removed\)/);
    rmSync(join(dir, 'gate'));
    await waitFor('held done, and the waiting run', () => lines(join(dir, 'ends')).length === 2);
    // Its result is written to the log made again, after a line saying what was lost.
    const [run] = await finishedRuns(state, 'held', 2);
    const log = readFileSync(run.logFile, 'utf8');
    assert.match(log, /^… the log file was removed while the run went on; the lines before this one were lost\n(.*\n)*==> succeeded/);
    assert.doesNotMatch(status(settings, 'held').stdout, /\(removed\)/);
  });
});
