// build.mjs: the default build embeds the Node LTS pinned in package.json; --node PATH builds
// around another Node; --out FILE puts the executable where we say (dist/whauto, which other
// tests use, is left alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../helpers/run.ts';
import { installedPinnedNode, pinnedNodeSpec, PINNED_NODE_PACKAGE } from '../helpers/embedded-node.ts';
import { tempDir } from '../helpers/tmp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** Runs build.mjs with `args`; returns its stderr (notes). Throws when the build fails. */
function buildWith(args: string[]): string {
  const r = runProcess(process.execPath, [join(ROOT, 'build.mjs'), ...args], { cwd: ROOT, timeoutMs: 300_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stderr;
}

/** The executable at `out` runs --version (printing `node`), schema and check on the example settings. */
function assertRuns(out: string, node: string): void {
  assert.ok(statSync(out).mode & 0o100, 'executable');
  const version = runProcess(out, ['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, `whauto ${pkg.version} (node ${node})\n`);
  // It is the whole CLI, not only the version: one command that reads nothing, one that reads a file.
  const schema = runProcess(out, ['schema']);
  assert.equal(schema.stdout, readFileSync(join(ROOT, 'schema/settings.schema.json'), 'utf8'));
  const check = runProcess(out, ['check', join(ROOT, 'examples/settings.yaml')]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /valid, 3 entries/);
}

test('package.json pins the embedded Node to an exact version, which the lock file holds with its integrity hash', () => {
  const spec = pinnedNodeSpec();
  assert.match(spec, /^\d+\.\d+\.\d+$/, 'an exact version, not a range');
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; integrity?: string; optional?: boolean; dev?: boolean }>;
  };
  const locked = lock.packages[`node_modules/${PINNED_NODE_PACKAGE}`];
  assert.equal(locked?.version, spec);
  assert.match(locked?.integrity ?? '', /^sha512-[A-Za-z0-9+/]+=*$/);
  // Optional: where it cannot install (another OS or CPU), npm ci goes on and build.mjs says so.
  assert.equal(locked?.optional, true);
  const installed = installedPinnedNode();
  if (installed !== null) assert.equal(installed, spec);
});

test("npm scripts run on the machine's Node: the pinned package's `node` bin is not linked into node_modules/.bin", () => {
  assert.equal(existsSync(join(ROOT, 'node_modules/.bin/node')), false, 'npm install ran without its postinstall?');
});

test('node build.mjs --out <temp> embeds the pinned Node (or, where it is not installed, this one, saying so)', () => {
  const t = tempDir();
  try {
    const out = join(t.dir, 'whauto-test');
    const notes = buildWith(['--out', out]);
    const installed = installedPinnedNode();
    if (installed === null) assert.match(notes, new RegExp(`${PINNED_NODE_PACKAGE}@${pinnedNodeSpec()} .* is not installed`));
    else assert.equal(notes, '');
    assertRuns(out, installed === null ? process.version : `v${installed}`);
  } finally {
    t.cleanup();
  }
});

test('node build.mjs --node <this node> --out <temp> makes an executable around that Node', () => {
  const t = tempDir();
  try {
    const out = join(t.dir, 'bin', 'whauto-test');
    buildWith(['--node', process.execPath, '--out', out]);
    // Intermediate files go beside the output; all but the bundle are removed.
    assert.deepEqual(readdirSync(join(t.dir, 'bin')).sort(), ['whauto-test', 'whauto-test.cjs']);
    assertRuns(out, process.version);
    assert.equal(existsSync(join(ROOT, 'dist/whauto-test')), false);
  } finally {
    t.cleanup();
  }
});

test('build.mjs refuses an option it does not know (exit non-zero, nothing built)', () => {
  const r = runProcess(process.execPath, [join(ROOT, 'build.mjs'), '--nod', process.execPath], { cwd: ROOT });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Unknown option '--nod'/);
});
