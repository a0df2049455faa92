// build.mjs --node PATH --out FILE: builds the single executable around a given Node binary
// into a place of our choosing (dist/whauto, which other tests use, is left alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../helpers/run.ts';
import { tempDir } from '../helpers/tmp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('node build.mjs --node <this node> --out <temp> makes an executable that runs --version, schema and check', () => {
  const t = tempDir();
  try {
    const out = join(t.dir, 'bin', 'whauto-test');
    const built = runProcess(process.execPath, [join(ROOT, 'build.mjs'), '--node', process.execPath, '--out', out], { cwd: ROOT, timeoutMs: 300_000 });
    assert.equal(built.status, 0, built.stderr);
    assert.ok(statSync(out).mode & 0o100, 'executable');
    // Intermediate files go beside the output and the blob and SEA config are removed.
    assert.deepEqual(readdirSync(join(t.dir, 'bin')).sort(), ['whauto-test', 'whauto-test.cjs']);

    const version = runProcess(out, ['--version']);
    assert.equal(version.status, 0, version.stderr);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(version.stdout, `whauto ${pkg.version} (node ${process.version})\n`);

    // It is the whole CLI, not only the version: one command that reads nothing, one that reads a file.
    const schema = runProcess(out, ['schema']);
    assert.equal(schema.stdout, readFileSync(join(ROOT, 'schema/settings.schema.json'), 'utf8'));
    const check = runProcess(out, ['check', join(ROOT, 'examples/settings.yaml')]);
    assert.equal(check.status, 0, check.stdout + check.stderr);
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
