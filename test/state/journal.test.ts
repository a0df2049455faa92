// The journal of accepted runs: frames read back whole, a torn frame ends the read, a
// snapshot starts the other file, old pending files are read too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { JournalWriter, readJournal, type Frame } from '../../src/state/journal.ts';
import { goneItem, listPending, pendingItem, type PendingRun } from '../../src/state/pending.ts';
import { tempDir } from '../helpers/tmp.ts';

const frame = (n: number, blob = Buffer.from([n, 0, 255])): Frame => ({ items: [{ n, blob: 0 }], blobs: [blob] });
const items = (frames: Frame[]): number[] => frames.map((f) => (f.items[0] as { n: number }).n);

describe('journal', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  it('reads back every frame written, with its bytes; the first write after opening is a snapshot', async () => {
    const dir = join(t.dir, 'a');
    const w = new JournalWriter(dir);
    await w.write(frame(1), () => frame(0));
    await w.write(frame(2), () => assert.fail('fits'));
    await w.write(frame(3, Buffer.alloc(0)), () => assert.fail('fits'));
    const back = readJournal(dir);
    assert.deepEqual(items(back), [0, 2, 3]);
    assert.deepEqual([...back[1]!.blobs[0]!], [2, 0, 255]);
    assert.equal(back[2]!.blobs[0]!.length, 0);
    // Another writer (a restart) starts with a snapshot into the other file; the old frames no longer read.
    await new JournalWriter(dir).write(frame(9), () => frame(8));
    assert.deepEqual(items(readJournal(dir)), [8]);
  });

  it('a frame torn by a crash ends the read: what came before it reads as it was', async () => {
    const dir = join(t.dir, 'b');
    const w = new JournalWriter(dir);
    await w.write(frame(1), () => frame(0));
    await w.write(frame(2), () => assert.fail('fits'));
    await w.write(frame(3), () => assert.fail('fits'));
    // Which file holds them: the one whose frames read. Tear the last frame's last byte.
    const file = [0, 1].map((i) => join(dir, 'queue', `journal-${i}`)).find((f) => readFileSync(f)[0] === 0x57)!;
    const bytes = readFileSync(file);
    let end = bytes.length;
    while (bytes[end - 1] === 0) end--;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([bytes[end - 1]! ^ 0xff]), 0, 1, end - 1);
    closeSync(fd);
    assert.deepEqual(items(readJournal(dir)), [0, 2]);
  });

  it('when a frame does not fit, a snapshot starts the other file; torn, the first file still reads', async () => {
    const dir = join(t.dir, 'c');
    const w = new JournalWriter(dir);
    await w.write(frame(1), () => frame(0));
    const big = Buffer.alloc(300 * 1024, 7);
    let snapshots = 0;
    for (let n = 2; n < 8; n++) await w.write(frame(n, big), () => { snapshots++; return frame(100 + n); });
    assert.equal(snapshots, 1, 'one switch for 1.8 MB in 1 MB files');
    const now = items(readJournal(dir));
    assert.equal(now[0]! > 100, true, `a snapshot first: ${now}`);
    // Tear the newest file's first frame: the other file (the epoch before) is read instead.
    const files = [0, 1].map((i) => join(dir, 'queue', `journal-${i}`));
    const newest = files.find((f) => readFileSync(f).readUInt32LE(4) === Math.max(...files.map((g) => readFileSync(g).readUInt32LE(4))))!;
    const fd = openSync(newest, 'r+');
    writeSync(fd, Buffer.from([0xee]), 0, 1, 20);
    closeSync(fd);
    const before = items(readJournal(dir));
    assert.equal(before[0], 0, `the first file's frames: ${before}`);
    assert.deepEqual(before, before.slice().sort((x, y) => x - y), 'in the order written');
  });

  it('a frame larger than the files grows the one it goes to', async () => {
    const dir = join(t.dir, 'd');
    const w = new JournalWriter(dir);
    const huge = Buffer.alloc(3 << 20, 1);
    await w.write(frame(1), () => frame(0, huge));
    const back = readJournal(dir);
    assert.equal(back[0]!.blobs[0]!.length, huge.length);
  });

  it('files removed under the writer (the state dir deleted) are made again, and the next write is a snapshot', async () => {
    const dir = join(t.dir, 'e');
    const w = new JournalWriter(dir);
    await w.write(frame(1), () => frame(0));
    rmSync(dir, { recursive: true });
    await w.write(frame(2), () => frame(5));
    assert.deepEqual(items(readJournal(dir)), [5]);
  });
});

describe('pending runs', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  const delivery = (id: string) => ({ forge: 'github', event: 'push', deliveryId: id, ref: 'refs/heads/main', before: null, after: null, pusher: null, repository: 'o/r', receivedAt: '2026-11-29T07:27:14.123Z' });
  const run = (id: string, entry: string, at: string, n = 1): PendingRun => ({
    id, entry, trigger: 'webhook', target: { kind: 'branch', name: 'main' },
    deliveries: Array.from({ length: n }, (_, i) => delivery(`${id}-${i}`)).slice(-10), deliveryCount: n, acceptedAt: at,
  });

  it('come from the journal, newest state of each run, less the gone ones and those that have a record', async () => {
    const dir = join(t.dir, 'p');
    const w = new JournalWriter(dir);
    const a = run('20261129T000000000Z-aaaa', 'a', '2026-11-29T00:00:00.000Z');
    const b = run('20261129T000001000Z-bbbb', 'b', '2026-11-29T00:00:01.000Z');
    const c = run('20261129T000002000Z-cccc', 'c', '2026-11-29T00:00:02.000Z');
    await w.write({ items: [], blobs: [] }, () => ({ items: [pendingItem(a, 0), pendingItem(b, null), pendingItem(c, null)], blobs: [Buffer.from('{"x":1}')] }));
    await w.write({ items: [pendingItem({ ...a, deliveryCount: 5 }, null), goneItem(b.id)], blobs: [] }, () => assert.fail('fits'));
    mkdirSync(join(dir, 'runs', 'c'), { recursive: true });
    writeFileSync(join(dir, 'runs', 'c', `${c.id}.json`), '{}');
    const back = listPending(dir, () => assert.fail('nothing corrupt'));
    assert.deepEqual(back.map((p) => [p.entry, p.deliveryCount, p.payload]), [['a', 5, null]]);
  });

  it('also come from the files of versions before the journal (every delivery listed), counted and cut to the newest', () => {
    const dir = join(t.dir, 'q');
    mkdirSync(join(dir, 'queue'), { recursive: true });
    const old = { ...run('20261129T000000000Z-dddd', 'old', '2026-11-29T00:00:00.000Z', 25), deliveryCount: undefined };
    old.deliveries = Array.from({ length: 25 }, (_, i) => delivery(`d${i}`));
    writeFileSync(join(dir, 'queue', 'old.json'), JSON.stringify({ ...old, hasPayload: true, payload: Buffer.from('raw').toString('base64') }));
    const [p] = listPending(dir, () => assert.fail('nothing corrupt'));
    assert.equal(p!.deliveryCount, 25);
    assert.deepEqual(p!.deliveries.map((d) => d.deliveryId), Array.from({ length: 10 }, (_, i) => `d${15 + i}`));
    assert.equal(p!.payload!.toString(), 'raw');
  });

  it('two of one entry (one was starting at a crash) are joined into one that stands for both', async () => {
    const dir = join(t.dir, 'r');
    const first = run('20261129T000000000Z-eeee', 'e', '2026-11-29T00:00:00.000Z', 2);
    const second = { ...run('20261129T000005000Z-ffff', 'e', '2026-11-29T00:00:05.000Z', 3), target: { kind: 'branch' as const, name: 'next' } };
    await new JournalWriter(dir).write({ items: [], blobs: [] }, () => ({ items: [pendingItem(first, null), pendingItem(second, 0)], blobs: [Buffer.from('p2')] }));
    const [p, ...more] = listPending(dir, () => assert.fail('nothing corrupt'));
    assert.equal(more.length, 0);
    assert.equal(p!.id, first.id);
    assert.equal(p!.deliveryCount, 5);
    assert.equal(p!.target.name, 'next');
    assert.equal(p!.payload!.toString(), 'p2');
  });
});
