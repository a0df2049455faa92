// A `whauto trigger` waiting for a checkout the daemon's run holds: status shows it, and the
// checkout goes first come, first served to triggers and the daemon's waiting run (the daemon
// would otherwise take the lock back at once when its own run ends).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonSuite } from '../helpers/daemon.ts';
import { start, WHAUTO } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { finishedRuns, lines } from '../helpers/state.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, GATED, plainEntry, status } from './lib.ts';

describe('serve: a whauto trigger waiting for the checkout', () => {
  const suite = daemonSuite((dir) => ({ entries: { held: plainEntry(dir, 'held', [GATED]) } }));

  /** Starts `whauto trigger SETTINGS held` and resolves once it says it waits. */
  async function waitingTrigger(): Promise<{ child: ChildProcess; stderr: () => string; exit: Promise<number | null> }> {
    const p = start(WHAUTO, ['trigger', suite.settings, 'held']);
    await waitFor('the trigger waits', () => /waiting for run/.test(p.stderr()));
    return { child: p.proc, stderr: p.stderr, exit: p.exited };
  }

  it('is shown while it waits, gone once it ran; one killed while waiting is not shown', async () => {
    const { dir, settings, state, daemon } = suite;
    writeFileSync(join(dir, 'gate'), '');
    const first = await deliver(daemon, 'held');
    assert.equal(first.status, 202);
    await waitFor('held running', () => lines(join(dir, 'count')).length === 1);
    const running = first.json.runs[0].id;

    // Ctrl-C while waiting: it stops as Ctrl-C would, and its record goes at once.
    const interrupted = await waitingTrigger();
    assert.equal(readdirSync(join(state, 'waiting')).length, 1);
    interrupted.child.kill('SIGINT');
    await interrupted.exit;
    assert.equal(interrupted.child.signalCode, 'SIGINT');
    assert.deepEqual(readdirSync(join(state, 'waiting')), []);
    const killed = await waitingTrigger();
    killed.child.kill('SIGKILL');
    await killed.exit;
    const manual = await waitingTrigger();

    const s = JSON.parse(status(settings, '--json').stdout);
    const held = s.entries[0];
    assert.equal(held.waiting_triggers.length, 1, 'the killed trigger is not shown');
    const w = held.waiting_triggers[0];
    assert.equal(w.pid, manual.child.pid);
    assert.equal(w.ref, 'main');
    assert.deepEqual(w.waits_for, { kind: 'own run', text: `the running run ${running}`, entry: 'held', run: running });
    const text = status(settings, 'held').stdout;
    assert.match(text, new RegExp(`waiting  ${w.id} \\(manual: whauto trigger, pid ${manual.child.pid}\\) for main, since \\d+s ago; waits for the running run ${running}`));
    assert.equal(readdirSync(join(state, 'waiting')).length, 1, 'the killed trigger\'s record was swept by the next trigger');

    rmSync(join(dir, 'gate'));
    assert.equal(await manual.exit, 0, manual.stderr());
    const runs = await finishedRuns(state, 'held', 2);
    assert.ok(runs.some((r) => r.id === w.id && r.trigger === 'manual'), 'the trigger ran with the id status showed');
    assert.deepEqual(JSON.parse(status(settings, '--json').stdout).entries[0].waiting_triggers, []);
    assert.deepEqual(readdirSync(join(state, 'waiting')), []);
    assert.match(status(settings, 'held').stdout, /^held\n  idle\n/);
  });

  it('first come, first served: triggers and the daemon\'s waiting run take the checkout in the order they began to wait', async () => {
    const { dir, settings, daemon } = suite;
    const count = join(dir, 'count');
    const before = lines(count).length;
    writeFileSync(join(dir, 'gate'), '');
    assert.equal((await deliver(daemon, 'held')).status, 202);
    await waitFor('held running', () => lines(count).length === before + 1);
    // A trigger waits, then the daemon's run is accepted, then another trigger waits.
    const first = await waitingTrigger();
    await new Promise((r) => setTimeout(r, 20)); // distinct times to order by
    const queued = await deliver(daemon, 'held', '3'.repeat(40));
    assert.equal(queued.status, 202);
    assert.match(status(settings, 'held').stdout, new RegExp(`waiting  ${queued.json.runs[0].id} .*; waits for the running run, then the whauto trigger \\S+ \\(pid ${first.child.pid}\\) that waits ahead of it`));
    await new Promise((r) => setTimeout(r, 20));
    const last = await waitingTrigger();
    const lastShown = JSON.parse(status(settings, 'held', '--json').stdout).entries[0].waiting_triggers.find((w: any) => w.pid === last.child.pid);
    assert.match(lastShown.waits_for.text, new RegExp(`^the running run \\S+, then run ${queued.json.runs[0].id} of entry held and the whauto trigger \\S+ \\(pid ${first.child.pid}\\), which wait ahead of it$`));
    rmSync(join(dir, 'gate'));
    assert.equal(await first.exit, 0, first.stderr());
    assert.equal(await last.exit, 0, last.stderr());
    await waitFor('all four ran', () => lines(count).length === before + 4);
    const ran = lines(count).slice(before).map((l) => l.split(' '));
    assert.deepEqual(ran.map((r) => r[1]), ['webhook', 'manual', 'webhook', 'manual']);
    assert.equal(ran[2]![2], queued.json.runs[0].id);
  });

  it('takes the settings as they are when its wait ends, and stops if they no longer deploy what it was asked', async () => {
    const { dir, settings, daemon } = suite;
    const count = join(dir, 'count');
    /** Holds the checkout with a daemon run, starts a trigger that waits, writes `entry` as the settings, lets go. */
    const waitThenChange = async (entry: Record<string, unknown>): Promise<Awaited<ReturnType<typeof waitingTrigger>>> => {
      const before = lines(count).length;
      writeFileSync(join(dir, 'gate'), '');
      assert.equal((await deliver(daemon, 'held')).status, 202);
      await waitFor('held running', () => lines(count).length === before + 1);
      const manual = await waitingTrigger();
      writeSettings(dir, { entries: { held: entry } });
      rmSync(join(dir, 'gate'));
      await manual.exit;
      return manual;
    };
    const changed = await waitThenChange(plainEntry(dir, 'held', [GATED, 'echo "new commands" >> "$COUNT"']));
    assert.equal(changed.child.exitCode, 0, changed.stderr());
    assert.match(changed.stderr(), /the settings changed while this run waited: it runs with them as they are now/);
    assert.equal(lines(count).at(-1), 'new commands');

    const ran = lines(count).length;
    const gone = await waitThenChange(plainEntry(dir, 'held', [GATED], { branch: 'staging' }));
    assert.equal(gone.child.exitCode, 2, gone.stderr());
    assert.match(gone.stderr(), /the settings changed while this run waited: entry 'held' does not deploy branch 'main' \(branch: staging\); nothing was run/);
    assert.equal(lines(count).length, ran + 1, 'only the daemon\'s run ran');
    writeSettings(dir, { entries: { held: plainEntry(dir, 'held', [GATED]) } });
  });
});
