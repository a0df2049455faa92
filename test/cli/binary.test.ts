// The single executable runs on its own: from any folder, with no node_modules beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, WHAUTO } from '../helpers/daemon.ts';
import { defaultEmbeddedNode } from '../helpers/embedded-node.ts';
import { tempDir } from '../helpers/tmp.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('dist/whauto --version and --help work when copied alone to another folder', () => {
  requireBinary();
  const t = tempDir();
  try {
    const copy = join(t.dir, 'whauto');
    copyFileSync(WHAUTO, copy);
    execFileSync('chmod', ['755', copy]);
    const env = { PATH: '/usr/bin:/bin' };
    const version = spawnSync(copy, ['--version'], { cwd: '/', env, encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), `whauto ${pkg.version} (node ${defaultEmbeddedNode()})`);
    assert.equal(version.stderr, '', 'no experimental-feature warning');
    const help = spawnSync(copy, ['--help'], { cwd: t.dir, env, encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /whauto serve +SETTINGS/);
    assert.match(help.stdout, /whauto trigger SETTINGS ENTRY/);
  } finally {
    t.cleanup();
  }
});

test('an unknown command exits 2 with the usage; no command exits 2', () => {
  requireBinary();
  const unknown = spawnSync(WHAUTO, ['deploy'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'deploy'/);
  // A name every object has is no command either.
  const inherited = spawnSync(WHAUTO, ['toString'], { encoding: 'utf8' });
  assert.equal(inherited.status, 2);
  assert.match(inherited.stderr, /unknown command 'toString'/);
  const none = spawnSync(WHAUTO, [], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /usage:/);
});

for (const command of ['serve', 'trigger', 'check', 'status']) {
  test(`whauto ${command} --help exits 0 with its usage; missing arguments exit 2`, () => {
    requireBinary();
    const help = spawnSync(WHAUTO, [command, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, new RegExp(`whauto ${command}`));
    const bare = spawnSync(WHAUTO, [command], { encoding: 'utf8' });
    assert.equal(bare.status, 2);
  });
}

test('a reader that goes away early (`whauto schema | head -1`) ends the command quietly, no stack trace', () => {
  requireBinary();
  const r = spawnSync('sh', ['-c', `"${WHAUTO}" schema | head -c 1 >/dev/null; "${WHAUTO}" --help | head -c 1 >/dev/null; echo done`], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'done');
  assert.equal(r.stderr, '', 'nothing on stderr');
});
