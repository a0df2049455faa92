// The single executable runs on its own: from any folder, with no node_modules beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, runProcess, WHAUTO, whauto } from '../helpers/run.ts';
import { defaultEmbeddedNode } from '../helpers/embedded-node.ts';
import { tempDir } from '../helpers/tmp.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('dist/whauto --version and --help work when copied alone to another folder', () => {
  requireBinary();
  const t = tempDir();
  try {
    const copy = join(t.dir, 'whauto');
    copyFileSync(WHAUTO, copy);
    chmodSync(copy, 0o755);
    const env = { PATH: '/usr/bin:/bin' };
    const version = runProcess(copy, ['--version'], { cwd: '/', env });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), `whauto ${pkg.version} (node ${defaultEmbeddedNode()})`);
    assert.equal(version.stderr, '', 'no experimental-feature warning');
    const help = runProcess(copy, ['--help'], { cwd: t.dir, env });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /whauto serve +SETTINGS/);
    assert.match(help.stdout, /whauto trigger SETTINGS ENTRY/);
  } finally {
    t.cleanup();
  }
});

test('an unknown command exits 2 with the usage; no command exits 2', () => {
  requireBinary();
  const unknown = whauto(['deploy']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'deploy'/);
  // A name every object has is no command either.
  const inherited = whauto(['toString']);
  assert.equal(inherited.status, 2);
  assert.match(inherited.stderr, /unknown command 'toString'/);
  const none = whauto([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /usage:/);
});

for (const command of ['serve', 'trigger', 'check', 'status']) {
  test(`whauto ${command} --help exits 0 with its usage; missing arguments exit 2`, () => {
    requireBinary();
    const help = whauto([command, '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, new RegExp(`whauto ${command}`));
    const bare = whauto([command]);
    assert.equal(bare.status, 2);
  });
}

test('a reader that goes away early (`whauto schema | head -1`) ends the command quietly, no stack trace', () => {
  requireBinary();
  const r = runProcess('sh', ['-c', `"${WHAUTO}" schema | head -c 1 >/dev/null; "${WHAUTO}" --help | head -c 1 >/dev/null; echo done`]);
  assert.equal(r.stdout.trim(), 'done');
  assert.equal(r.stderr, '', 'nothing on stderr');
});
