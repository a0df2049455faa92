// SIGKILL at random moments under load, restart, 20 times: no delivery answered 202 is lost,
// and none runs twice but in the documented resumed run of a cut-off run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { listPending } from '../../src/state/pending.ts';
import { plainEntry, SECRET } from './lib.ts';
import { waitFor } from '../helpers/wait.ts';
import { runRecords } from '../helpers/state.ts';

const ENTRIES = ['a', 'b', 'c'];
const ROUNDS = 20;

/** Per entry: deliveries answered 202, and those sent whose answer never came (the daemon died) or was not 202. */
interface Sent {
  acked: Set<string>;
  unknown: Set<string>;
}

describe('serve: SIGKILL under load, 20 times', () => {
  let t: { dir: string; cleanup: () => void };
  let daemon: Daemon | undefined;
  before(() => { t = tempDir('whauto-crash-'); });
  after(async () => {
    await daemon?.stop('SIGKILL');
    t.cleanup();
  });

  it('loses no delivery answered 202 and runs none twice but in a resumed run', { timeout: 240_000 }, async () => {
    const state = join(t.dir, 'state');
    // Every run's record is counted: none may be pruned (a fast machine makes more than keep_runs' default 50).
    const settings = writeSettings(t.dir, { workers: 2, keep_runs: 10_000, entries: Object.fromEntries(ENTRIES.map((e) => [e, plainEntry(t.dir, e, ['true'])])) });
    const sent = new Map<string, Sent>(ENTRIES.map((e) => [e, { acked: new Set(), unknown: new Set() }]));
    let seq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const d = await startDaemon(settings);
      daemon = d;
      let killed = false;
      // One client per entry, each sending one delivery after the other until the kill.
      const clients = ENTRIES.map(async (entry) => {
        const s = sent.get(entry)!;
        while (!killed) {
          const id = `${entry}-${++seq}`;
          const p = pushDelivery('github', { repo: `acme/${entry}`, branch: 'main', after: seq.toString(16).padStart(40, '0') }, SECRET);
          p.headers['x-github-delivery'] = id;
          try {
            const res = await post(`${d.base}/webhook/${entry}`, p.headers, p.body);
            (res.status === 202 ? s.acked : s.unknown).add(id);
          } catch {
            s.unknown.add(id);
          }
        }
      });
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 300));
      killed = true;
      d.proc.kill('SIGKILL');
      await d.exited;
      await Promise.all(clients);
    }
    // A last start takes back and runs what waits; then nothing runs and nothing waits.
    daemon = await startDaemon(settings);
    await waitFor('every waiting and cut-off run run', () => listPending(state, () => undefined).length === 0 &&
      ENTRIES.every((e) => runRecords(state, e).every((r) => r.result !== 'running')), 60_000);
    await daemon.stop();

    for (const entry of ENTRIES) {
      const s = sent.get(entry)!;
      const records = runRecords(state, entry);
      assert.ok(s.acked.size > 0, `${entry}: some deliveries were answered 202`);
      for (const r of records) assert.ok(['succeeded', 'interrupted'].includes(r.result), `${entry} run ${r.id}: ${r.result} ${r.message}`);
      // A cut-off run is recorded interrupted and stood for by its resumed (or replacing) run: only the others count.
      const ran = records.filter((r) => r.result !== 'interrupted');
      const total = ran.reduce((n, r) => n + (r.deliveryCount ?? r.deliveries.length), 0);
      // Every delivery answered 202 is in a run; beyond them only those written just before a
      // kill, whose answer never came (a forge delivers those again: at least once).
      assert.ok(total >= s.acked.size, `${entry}: ${total} deliveries ran, ${s.acked.size} were answered 202`);
      assert.ok(total <= s.acked.size + s.unknown.size, `${entry}: ${total} deliveries ran, more than the ${s.acked.size + s.unknown.size} sent: some ran twice`);
      const kept = ran.flatMap((r) => r.deliveries.map((dv: any) => dv.deliveryId));
      assert.equal(new Set(kept).size, kept.length, `${entry}: a delivery is in two runs that were not cut off`);
      for (const id of kept) assert.ok(s.acked.has(id) || s.unknown.has(id), `${entry}: ran ${id}, never sent`);
      // The newest delivery answered 202 was deployed (by its run or a later one).
      const newest = Math.max(...[...s.acked].map((id) => Number(id.split('-')[1])));
      const deployed = Math.max(...ran.map((r) => parseInt(r.deliveries.at(-1).after, 16)));
      assert.ok(deployed >= newest, `${entry}: newest answered 202 was ${newest}, newest deployed ${deployed}`);
    }
  });
});
