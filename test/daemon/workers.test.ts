// SPEC section 6: up to `workers` runs of different checkouts go at once. Entries without a
// repodir have no checkout: they do not wait for each other, even in one workdir.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { writeSettings } from '../helpers/settings.ts';
import { lines } from '../helpers/state.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { deliver, GATED, plainEntry, status } from './lib.ts';

describe('workers: what runs at once, and what a waiting run waits for', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon;
  let settings: string;

  before(async () => {
    t = tempDir();
    mkdirSync(join(t.dir, 'shared'));
    // a, b and c run in the same folder, t.dir.
    settings = writeSettings(t.dir, {
      workers: 2,
      entries: {
        a: plainEntry(t.dir, 'a', [GATED], { workdir: t.dir }),
        b: plainEntry(t.dir, 'b', [GATED], { workdir: t.dir }),
        c: plainEntry(t.dir, 'c', [GATED], { workdir: t.dir }),
        // Two entries on one checkout: never at once.
        d: plainEntry(t.dir, 'd', [GATED], { repodir: join(t.dir, 'shared'), update: 'none' }),
        e: plainEntry(t.dir, 'e', [GATED], { repodir: join(t.dir, 'shared'), update: 'none' }),
      },
    });
    daemon = await startDaemon(settings);
  });
  after(async () => {
    rmSync(join(t.dir, 'gate'), { force: true });
    await daemon?.stop();
    t.cleanup();
  });

  // Each test counts from where the one before left the shared files (and passes run alone).
  const count = (): number => lines(join(t.dir, 'count')).length;
  const ends = (): number => lines(join(t.dir, 'ends')).length;

  it('run at once up to `workers`, and status says what a waiting run waits for', async () => {
    const [started, ended] = [count(), ends()];
    writeFileSync(join(t.dir, 'gate'), '');
    for (const e of ['a', 'b']) assert.equal((await deliver(daemon, e)).status, 202);
    await waitFor('a and b running together', () => count() === started + 2);
    assert.equal((await deliver(daemon, 'c')).status, 202);
    assert.equal((await deliver(daemon, 'a')).status, 202);
    const s = JSON.parse(status(settings, '--json').stdout);
    const waiting = Object.fromEntries(s.entries.map((e: any) => [e.entry, e.waiting?.waits_for ?? null]));
    assert.deepEqual(waiting, {
      a: { kind: 'own run', text: 'the running run' }, b: null, c: { kind: 'worker', text: 'a free worker (2 of 2 busy)' }, d: null, e: null,
    });
    assert.match(status(settings, 'c').stdout, /waiting .* 1 delivery, accepted .*; waits for a free worker \(2 of 2 busy\)/);
    rmSync(join(t.dir, 'gate'));
    await waitFor('all four runs', () => ends() === ended + 4);
  });

  it('a run waiting for another entry\'s run on the same checkout: status names that run', async () => {
    const [started, ended] = [count(), ends()];
    writeFileSync(join(t.dir, 'gate'), '');
    const d = await deliver(daemon, 'd');
    await waitFor('d running', () => count() === started + 1);
    assert.equal((await deliver(daemon, 'e')).status, 202);
    const s = JSON.parse(status(settings, 'e', '--json').stdout);
    assert.deepEqual(s.entries[0].waiting.waits_for, {
      kind: 'checkout', text: `run ${d.json.runs[0].id} of entry d, on the same checkout`, entry: 'd', run: d.json.runs[0].id,
    });
    rmSync(join(t.dir, 'gate'));
    await waitFor('d and e done', () => ends() === ended + 2);
  });
});
