// The daemon's log line buffer: one write per turn of the event loop, order kept, nothing lost on close.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { lineBuffer } from '../../src/log/line-buffer.ts';

describe('log line buffer', () => {
  it('writes the lines of one turn in one write, in order', async () => {
    const writes: string[] = [];
    const b = lineBuffer((t) => writes.push(t));
    b.write('a\n');
    b.write('b\n');
    b.write('c\n');
    assert.deepEqual(writes, [], 'nothing is written before the turn ends');
    await nextTurn();
    assert.deepEqual(writes, ['a\nb\nc\n']);
    b.write('d\n');
    await nextTurn();
    assert.deepEqual(writes, ['a\nb\nc\n', 'd\n']);
    b.close();
  });

  it('writes at once when 64 KiB wait, without waiting for the turn to end', () => {
    const writes: string[] = [];
    const b = lineBuffer((t) => writes.push(t));
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) b.write(line);
    assert.equal(writes.length, 1);
    assert.equal(writes[0], line.repeat(64));
    b.close();
  });

  it('close() writes what waits, and later lines go out at once', () => {
    const writes: string[] = [];
    const b = lineBuffer((t) => writes.push(t));
    b.write('last before close\n');
    b.close();
    assert.deepEqual(writes, ['last before close\n']);
    b.write('after\n');
    assert.deepEqual(writes, ['last before close\n', 'after\n']);
  });
});
