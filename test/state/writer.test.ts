// The state writer: atomic writes, in order, failures.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateWriter } from '../../src/state/writer.ts';
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

  it('keeps the order of jobs sent at once: the last write wins', async () => {
    const f = join(t.dir, 'order.json');
    await Promise.all(['1', '2', '3'].map((data) => writer.write({ files: [{ file: f, data, durable: true }] })));
    assert.equal(readFileSync(f, 'utf8'), '3');
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
