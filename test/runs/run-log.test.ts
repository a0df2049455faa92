import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRunLog } from '../../src/runs/run-log.ts';
import { tempDir } from '../helpers/tmp.ts';

test('openRunLog: a log that could not be opened at first is made at the next note once its folder can be, saying lines were lost', async () => {
  const t = tempDir();
  // Lines go out once per turn of the event loop.
  const turn = () => new Promise((r) => setImmediate(r));
  try {
    const folder = join(t.dir, 'runs');
    writeFileSync(folder, 'a file where the runs folder goes');
    const file = join(folder, 'r1.log');
    const log = openRunLog(file, 1 << 20);
    log.write('lost: the folder cannot be made');
    await turn();
    rmSync(folder);
    mkdirSync(folder);
    log.write('kept after the folder came back');
    log.note('==> succeeded in 1s');
    log.close();
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /lost: the folder/);
    assert.match(text, /could not be written until now; the lines before this one were lost\n/);
    assert.match(text, /==> succeeded in 1s\n$/);
  } finally {
    t.cleanup();
  }
});
