// Micro-benchmark of the in-process hot path, per forge: content type + verify + parse + route
// + enqueue (an in-memory queue: no disk), in ns per delivery. No load generator needed.
//   node --import tsx bench/hot-path.ts [--n 20000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Queue } from '../src/queue/queue.ts';
import { handleVerified, verifyFor } from '../src/server/handle-delivery.ts';
import { toDelivery } from '../src/server/delivery.ts';
import { loadSettings } from '../src/settings/load.ts';
import { FORGE_NAMES, pushDelivery } from '../test/helpers/payloads.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' } } });
const N = Number(values.n);
const SECRET = 'hot-path-secret';
const REPO = 'acme/site';

const dir = mkdtempSync(join(tmpdir(), 'whauto-hot-'));
try {
  const file = join(dir, 'settings.yaml');
  writeFileSync(file, `state_dir: ${join(dir, 'state')}\nentries:\n${FORGE_NAMES.map((f) =>
    `  ${f}:\n    provider: ${f}\n    secret: ${SECRET}\n    repo: ${REPO}\n    branch: main\n    update: none\n    commands: [[true]]\n`).join('')}`, { mode: 0o600 });
  const { settings, findings } = loadSettings(file, process.env);
  if (!settings) throw new Error(`settings: ${JSON.stringify(findings)}`);

  // The queue's in-memory part: one waiting run per entry that deliveries join.
  const waiting = new Map<string, { id: string; deliveries: unknown[] }>();
  const durable = Promise.resolve();
  const queue = {
    accept(entry: { name: string }, _t: unknown, delivery: unknown) {
      let w = waiting.get(entry.name);
      if (!w) waiting.set(entry.name, (w = { id: `run-${entry.name}`, deliveries: [] }));
      if (w.deliveries.length > 1000) w.deliveries.length = 0;
      w.deliveries.push(delivery);
      return { entry: entry.name, id: w.id, coalesced: true, durable };
    },
  } as unknown as Queue;

  console.log(`hot path (content type + verify + parse + route + enqueue), ${N} deliveries per forge, Node ${process.version}`);
  for (const forge of FORGE_NAMES) {
    const entry = settings.entries.find((e) => e.name === forge)!;
    const d = pushDelivery(forge, { repo: REPO, branch: 'main' }, SECRET);
    const body = Buffer.from(d.body);
    const once = async (): Promise<number> => {
      const r = toDelivery(d.headers, body, forge === 'plain');
      if (!('delivery' in r)) throw new Error(`${forge}: refused content type`);
      const v = verifyFor([entry], r.delivery);
      if (v.refusal) throw new Error(`${forge}: ${JSON.stringify(v.refusal)}`);
      return (await handleVerified(v.ok, r.delivery, queue, {})).code;
    };
    const code = await once();
    if (code !== 202) throw new Error(`${forge}: answered ${code}`);
    for (let i = 0; i < Math.min(2000, N); i++) await once(); // warm-up
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await once();
    const ns = Number(process.hrtime.bigint() - t) / N;
    console.log(`${forge.padEnd(17)} ${ns.toFixed(0).padStart(7)} ns/delivery  (${body.length} bytes)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
