// A waiting run accepted under older settings is run only if the settings now in force still
// deploy it: a reload (or a restart) that stops deploying its branch, or removes its entry,
// drops it at once, with a warning, though its deliveries got their 202.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { start, WHAUTO } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { listPending } from '../../src/state/pending.ts';
import { finishedRuns, lines, runRecords } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, GATED, plainEntry } from './lib.ts';

const waitingEntries = (state: string): string[] => listPending(state, () => undefined).map((p) => p.entry);

describe('serve: settings that no longer deploy a waiting run', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon | undefined;
  let state: string;

  const write = (heldBranch: string, withOther = true): string => writeSettings(t.dir, {
    workers: 2,
    entries: {
      held: plainEntry(t.dir, 'held', [GATED], { branch: heldBranch, repodir: join(t.dir, 'work', 'held') }),
      ...(withOther ? { other: plainEntry(t.dir, 'other', [GATED], { repodir: join(t.dir, 'work', 'held'), workdir: join(t.dir, 'work', 'held') }) } : {}),
    },
  });

  before(() => {
    t = tempDir();
    state = join(t.dir, 'state');
  });
  after(async () => {
    rmSync(join(t.dir, 'gate'), { force: true });
    await daemon?.stop();
    t.cleanup();
  });

  it('a reload: a waiting run of a branch the entry no longer deploys, and one of a removed entry, are dropped at once', async () => {
    const settings = write('main');
    daemon = await startDaemon(settings);
    writeFileSync(join(t.dir, 'gate'), '');
    assert.equal((await deliver(daemon, 'held')).status, 202);
    await waitFor('held running', () => lines(join(t.dir, 'count')).length === 1);
    // Both wait: held for its own run, other for the checkout they share.
    const held = await deliver(daemon, 'held', '3'.repeat(40));
    const other = await deliver(daemon, 'other');
    assert.deepEqual([held.status, other.status], [202, 202]);
    assert.deepEqual(waitingEntries(state).sort(), ['held', 'other']);
    // Someone follows the waiting run: once it is dropped, the follower says so and ends.
    const follower = start(WHAUTO, ['status', settings, 'held', '--log', held.json.runs[0].id, '--follow']);
    await waitFor('the follower waits', () => /waits to start/.test(follower.stderr()));

    write('staging', false);
    daemon.proc.kill('SIGHUP');
    await daemon.waitForLine(new RegExp(`warn waiting run dropped: the settings no longer deploy it entry=held run=${held.json.runs[0].id} ref=main why="entry 'held' does not deploy branch 'main' \\(branch: staging\\)"`));
    await daemon.waitForLine(new RegExp(`warn waiting run dropped: the settings no longer deploy it entry=other run=${other.json.runs[0].id} ref=main why="entry 'other' is no longer in the settings"`));
    await waitFor('the waiting runs gone from the journal', () => waitingEntries(state).length === 0);
    const followed = await follower.ended();
    assert.equal(followed.code, 1, followed.stderr);
    assert.match(followed.stderr, /run \S+ of entry 'held' no longer waits and never started \(dropped: see the daemon's log\)/);

    rmSync(join(t.dir, 'gate'));
    await finishedRuns(state, 'held', 1);
    await daemon.stop();
    daemon = undefined;
    assert.equal(lines(join(t.dir, 'count')).length, 1, 'only the run in flight ran');
    assert.equal(runRecords(state, 'other').length, 0);
  });

  it('a restart: the waiting run left in the state dir is dropped when the entry no longer deploys its branch', async () => {
    const settings = write('main', false);
    daemon = await startDaemon(settings);
    writeFileSync(join(t.dir, 'gate'), '');
    const before = lines(join(t.dir, 'count')).length;
    assert.equal((await deliver(daemon, 'held')).status, 202);
    await waitFor('held running', () => lines(join(t.dir, 'count')).length === before + 1);
    const waiting = await deliver(daemon, 'held', '4'.repeat(40));
    assert.equal(waiting.status, 202);
    const stopped = daemon.stop();
    rmSync(join(t.dir, 'gate'));
    assert.equal(await stopped, 0);
    assert.deepEqual(waitingEntries(state), ['held'], 'the waiting run stays for the next start');

    write('staging', false);
    daemon = await startDaemon(settings);
    await daemon.waitForLine(new RegExp(`warn waiting run dropped: the settings no longer deploy it entry=held run=${waiting.json.runs[0].id} ref=main`));
    await waitFor('the dropped run gone from the journal', () => waitingEntries(state).length === 0);
    assert.equal(lines(join(t.dir, 'count')).length, before + 1, 'main was not deployed again');
  });
});
