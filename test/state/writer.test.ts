// The state writer: atomic writes in a worker thread, in order, batches, failures.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateWriter } from '../../src/state/writer.ts';
import { listPending, pendingText, savePending, type PendingRun } from '../../src/state/pending.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('state writer', () => {
  let t: { dir: string; cleanup: () => void };
  const writer = new StateWriter();
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  it('writes files (text and bytes) and leaves no temp file', async () => {
    const a = join(t.dir, 'a.json');
    const b = join(t.dir, 'b.bin');
    await writer.write({ files: [{ file: a, data: '{"x":1}', durable: true }, { file: b, data: Buffer.from([0, 255, 7]), durable: false }] });
    assert.equal(readFileSync(a, 'utf8'), '{"x":1}');
    assert.deepEqual([...readFileSync(b)], [0, 255, 7]);
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('writes a file larger than the worker heap (a 25 MB payload as text)', async () => {
    const f = join(t.dir, 'big.json');
    const text = 'x'.repeat(40 * 1024 * 1024);
    await writer.write({ files: [{ file: f, data: text, durable: true }] });
    assert.equal(readFileSync(f, 'utf8').length, text.length);
  });

  it('keeps the order of jobs sent at once: write, remove, write again; the last write wins', async () => {
    const f = join(t.dir, 'order.json');
    const gone = join(t.dir, 'gone.json');
    writeFileSync(gone, 'old');
    const jobs = [
      writer.write({ files: [{ file: f, data: '1', durable: true }] }),
      writer.write({ files: [{ file: join(t.dir, 'record.json'), data: 'r', durable: true }], unlink: [f, gone] }),
      writer.write({ files: [{ file: f, data: '2', durable: true }] }),
      writer.write({ files: [{ file: f, data: '3', durable: true }] }),
    ];
    await Promise.all(jobs);
    assert.equal(readFileSync(f, 'utf8'), '3');
    assert.equal(existsSync(gone), false);
    assert.equal(readFileSync(join(t.dir, 'record.json'), 'utf8'), 'r');
  });

  it('writes each text exactly, when the memory of an earlier, longer text is used again', async () => {
    const f = join(t.dir, 'reuse.json');
    for (let i = 0; i < 20; i++) {
      const text = i % 2 ? `short ${i}` : `${'long '.repeat(4000)}${i}`;
      await writer.write({ files: [{ file: f, data: text, durable: true }] });
      assert.equal(readFileSync(f, 'utf8'), text);
    }
  });

  it('fails a job that cannot be written, alone, with the I/O error', async () => {
    const ok = join(t.dir, 'fine.json');
    // A file where a folder should be: no write can go under it (root or not).
    writeFileSync(join(t.dir, 'blocker'), '');
    const [bad, good] = await Promise.allSettled([
      writer.write({ files: [{ file: join(t.dir, 'blocker', 'dir.json'), data: 'x', durable: true }] }),
      writer.write({ files: [{ file: ok, data: 'y', durable: true }] }),
    ]);
    assert.equal(bad.status, 'rejected');
    assert.match(String((bad as PromiseRejectedResult).reason), /ENOTDIR/);
    assert.equal(good.status, 'fulfilled');
    assert.equal(readFileSync(ok, 'utf8'), 'y');
  });
});

describe('state writer: a removed folder', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  it('is made again for the write (the state dir deleted under the daemon)', async () => {
    const file = join(t.dir, 'gone', 'queue', 'a.json');
    await new StateWriter().write({ files: [{ file, data: 'z', durable: true }] });
    assert.equal(readFileSync(file, 'utf8'), 'z');
  });
});

describe('pending run file', () => {
  let t: { dir: string; cleanup: () => void };
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  const run: PendingRun = {
    id: '20261129T072714123Z-3f2a', entry: 'site', trigger: 'webhook', target: { kind: 'branch', name: 'main' },
    deliveries: [{ forge: 'github', event: 'push', deliveryId: 'd1', ref: 'refs/heads/main', before: null, after: null, pusher: null, repository: 'o/r', receivedAt: '2026-11-29T07:27:14.123Z' }],
    acceptedAt: '2026-11-29T07:27:14.123Z',
  };

  it('is one JSON file holding the payload (any bytes) and reads back the same', () => {
    const payload = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
    const text = pendingText(run, JSON.stringify(run.deliveries), payload);
    assert.deepEqual(JSON.parse(text), { ...run, hasPayload: true, payload: payload.toString('base64') });
    mkdirSync(join(t.dir, 'queue'));
    savePending(t.dir, run, payload);
    const [back] = listPending(t.dir, () => assert.fail('not corrupt'));
    assert.deepEqual(back, { ...run, payload });
    savePending(t.dir, run, null);
    assert.equal(listPending(t.dir, () => assert.fail('not corrupt'))[0]!.payload, null);
  });
});
