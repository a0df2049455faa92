// A command given too few or too many arguments names what is missing (or extra), then its
// usage, and exits 2, before it reads any file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../../src/cli/cli.ts';
import type { Io } from '../../src/cli/io.ts';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => { stdout += String(t); }, stderr: (t) => { stderr += t; }, env: {}, cwd: '/nonexistent' };
  const code = await cli(io, argv);
  return { code, stdout, stderr };
}

const CASES: Array<[string[], string]> = [
  [['serve'], 'whauto serve: missing SETTINGS'],
  [['check'], 'whauto check: missing SETTINGS'],
  [['check', '--json'], 'whauto check: missing SETTINGS'],
  [['trigger'], 'whauto trigger: missing SETTINGS'],
  [['trigger', 'settings.yaml'], 'whauto trigger: missing ENTRY'],
  [['trigger', 'settings.yaml', '--dry-run'], 'whauto trigger: missing ENTRY'],
  [['status'], 'whauto status: missing SETTINGS'],
  [['status', 'settings.yaml', '--log'], 'whauto status: missing ENTRY'],
  [['init', '--branch', 'main'], 'whauto init: missing --repo OWNER/NAME'],
  [['init', '--repo', 'acme/site'], 'whauto init: missing --branch B'],
  [['serve', 'a.yaml', 'b.yaml'], "whauto serve: unexpected argument 'b.yaml'"],
  [['trigger', 'a.yaml', 'site', 'more'], "whauto trigger: unexpected argument 'more'"],
  [['status', 'a.yaml', 'site', 'run'], "whauto status: unexpected argument 'run'"],
  [['status', 'a.yaml', 'site', 'run', 'more', '--log'], "whauto status: unexpected argument 'more'"],
];

for (const [argv, said] of CASES) {
  test(`whauto ${argv.join(' ')}: "${said}", then the usage, exit 2`, async () => {
    const r = await run(argv);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const [first, blank, usage] = r.stderr.split('\n');
    assert.equal(first, said);
    assert.equal(blank, '');
    assert.match(usage!, new RegExp(`^usage: whauto ${argv[0]} `));
  });
}
