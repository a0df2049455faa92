// Runs every test/**/*.test.ts with node:test, TypeScript loaded through tsx.
//   node test/run.mjs [path-substring ...]   only the files whose path holds one of them
// Node 20's --test takes no globs, so the files are listed here. The report is compact
// (test/reporter.mjs): a line per file, failures in full, node's summary at the end.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * How long one test file may run (ms) before node:test cancels it: a hang fails the run
 * instead of stalling it. Generous, as the machine is slow and shared; the slowest file
 * takes under a minute. (Node 20 applies --test-timeout to each file as a whole.)
 */
const FILE_TIMEOUT_MS = 600_000;

const root = new URL('.', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join(root, f));
if (files.length === 0) {
  console.error(`no test file matches ${only.join(' ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${FILE_TIMEOUT_MS}`,
  `--test-reporter=${join(root, 'reporter.mjs')}`, '--test-reporter-destination=stdout',
  ...files,
], {
  stdio: 'inherit',
  // What whauto's git sees under test is the same on every machine: no user or system git
  // config (a `safe.directory = *` there would change the outcome of the ownership tests).
  env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
});
process.exit(r.status ?? 1);
