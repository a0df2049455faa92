// A warning a flood repeats is said once per key per window, then counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger.ts';
import { rateLimitedWarn } from '../../src/log/rate-limited.ts';
import { waitFor } from '../helpers/wait.ts';

test('rateLimitedWarn: the first at once, the rest of the window as one line with the count, per key', async () => {
  const lines: string[] = [];
  const warn = rateLimitedWarn(createLogger({ level: 'info', format: 'text', write: (l) => lines.push(l) }), 'connection refused', 50);
  for (let i = 0; i < 5; i++) warn('a', { client: 'a' });
  warn('b', { client: 'b' });
  assert.equal(lines.length, 2, 'one line per key so far');
  await waitFor('the line that ends the window', () => lines.some((l) => / more=/.test(l)));
  const more = lines.filter((l) => / more=/.test(l));
  assert.equal(more.length, 1, lines.join(''));
  assert.match(more[0]!, /warn connection refused client=a more=4 within_ms=50\n$/);
  warn('a', { client: 'a' });
  assert.equal(lines.length, 4, 'a new window starts with a line at once');
});
