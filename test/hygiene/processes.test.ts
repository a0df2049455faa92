// Every process a test starts goes through test/helpers/run.ts, which gives it a time limit
// (runProcess, whauto) or kills it when the test process ends (start): a hang then fails the
// run instead of stalling it, and nothing outlives its test file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST = fileURLToPath(new URL('..', import.meta.url));
const HELPER = join(TEST, 'helpers', 'run.ts');

test('no test file but helpers/run.ts imports a process starter from node:child_process', () => {
  const offenders: string[] = [];
  for (const f of readdirSync(TEST, { recursive: true }).map(String).filter((n) => /\.(ts|mjs)$/.test(n))) {
    const file = join(TEST, f);
    if (file === HELPER || f === 'run.mjs') continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import \{([^}]*)\} from 'node:child_process'/gm)) {
      const starters = m[1]!.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '));
      if (starters.length > 0) offenders.push(`${relative(TEST, file)}: ${starters.join(', ')}`);
    }
    if (/^import (\w+|\* as \w+) from 'node:child_process'/m.test(text)) offenders.push(`${relative(TEST, file)}: the whole module`);
  }
  assert.deepEqual(offenders, [], 'start processes with runProcess, whauto or start from test/helpers/run.ts');
});
