// The logger: one line per event, values quoted and escaped so a sender cannot forge or hide lines.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, showControls } from '../../src/log/logger.ts';

const HOSTILE = 'del\u007fpush\u009b31mred\u2028FAKE\u0085line\u202eevil\nnext\u001b[0m';

function capture(format: 'text' | 'json'): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', format, write: (l) => lines.push(l) }) };
}

describe('logger', () => {
  it('text: a value with controls, separators or bidi overrides is quoted and escaped, on one line', () => {
    const { lines, log } = capture('text');
    log.info('delivery', { event: HOSTILE, answer: 202 });
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.endsWith('\n'), true);
    assert.equal(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/.test(line.slice(0, -1)), false, JSON.stringify(line));
    assert.match(line, / event="del\\u007fpush\\u009b31mred\\u2028FAKE\\u0085line\\u202eevil\\nnext\\u001b\[0m" answer=202\n$/);
  });

  it('json: the same characters are escaped and the line reads back to the same value', () => {
    const { lines, log } = capture('json');
    log.warn('delivery', { event: HOSTILE, answer: 403 });
    const line = lines[0]!;
    assert.equal(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/.test(line.slice(0, -1)), false, JSON.stringify(line));
    const back = JSON.parse(line);
    assert.equal(back.event, HOSTILE);
    assert.deepEqual([back.level, back.msg, back.answer], ['warn', 'delivery', 403]);
  });

  it('text: plain values stay bare; empty values are quoted', () => {
    const { lines, log } = capture('text');
    log.info('run finished', { entry: 'site', result: 'succeeded', message: '' });
    assert.match(lines[0]!, / info run finished entry=site result=succeeded message=""\n$/);
  });
});

test('showControls makes what a terminal would act on visible, and keeps tabs, newlines and text', () => {
  const raw = 'esc:\x1b[31mRED\x1b[0m\tcsi:\u009b2J bell:\x07 cr:\r bidi:\u202ex nul:\0 ok: é ✓\nnext line';
  assert.equal(showControls(raw),
    'esc:\\u001b[31mRED\\u001b[0m\tcsi:\\u009b2J bell:\\u0007 cr:\\u000d bidi:\\u202ex nul:\\u0000 ok: é ✓\nnext line');
});
