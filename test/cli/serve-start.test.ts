// What `whauto serve` says and refuses at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.ts';
import { requireBinary, runProcess, start, WHAUTO, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';

test('serve logs the settings warnings at start (an entry with no authentication)', async () => {
  const t = tempDir();
  try {
    const file = writeSettings(t.dir, { entries: { open: { provider: 'github', repo: 'acme/site', update: 'none', commands: ['true'] } } });
    const daemon = await startDaemon(file);
    try {
      const line = await daemon.waitForLine(/ warn settings warning /);
      assert.match(line, /no authentication|no secret/i);
    } finally {
      await daemon.stop();
    }
  } finally {
    t.cleanup();
  }
});

test('serve refuses a state dir under /proc at once (exit 2, one line), instead of spinning', () => {
  requireBinary();
  const t = tempDir();
  try {
    const file = writeSettings(t.dir, {
      state_dir: '/proc/whauto-state',
      entries: { site: { provider: 'github', secret: 'x', repo: 'acme/site', update: 'none', commands: ['true'] } },
    });
    const r = whauto(['serve', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /state dir \/proc\/whauto-state is not usable: it is under \/proc/);
  } finally {
    t.cleanup();
  }
});

test('a second daemon on the same state dir refuses to start (it would run what the first has queued)', async () => {
  const t = tempDir();
  try {
    const file = writeSettings(t.dir, { entries: { site: { provider: 'github', secret: 'x', repo: 'acme/site', update: 'none', commands: ['true'] } } });
    const first = await startDaemon(file);
    try {
      const second = whauto(['serve', file]);
      assert.equal(second.status, 2);
      assert.match(second.stderr, /another daemon \(pid \d+\) uses the state dir/);
      assert.equal((await fetch(`${first.base}/healthz`)).status, 200, 'the first keeps serving');
    } finally {
      await first.stop();
    }
    // Once the first has stopped, the state dir is free again.
    const again = await startDaemon(file);
    await again.stop();
  } finally {
    t.cleanup();
  }
});

test('a second daemon on the same state dir by another spelling (a symlink to it) refuses to start too', async () => {
  const t = tempDir();
  try {
    const entries = { site: { provider: 'github', secret: 'x', repo: 'acme/site', update: 'none', commands: ['true'] } };
    const file = writeSettings(t.dir, { state_dir: join(t.dir, 'state'), entries });
    const first = await startDaemon(file);
    try {
      symlinkSync(join(t.dir, 'state'), join(t.dir, 'state-link'));
      const other = writeSettings(t.dir, { state_dir: join(t.dir, 'state-link'), entries }, 'other.yaml');
      const second = whauto(['serve', other]);
      assert.equal(second.status, 2, second.stdout + second.stderr);
      assert.match(second.stderr, /another daemon \(pid \d+\) uses the state dir/);
    } finally {
      await first.stop();
    }
  } finally {
    t.cleanup();
  }
});

test('/healthz answers GET; other methods get 405 naming GET; health probes stay out of the info log', async () => {
  const t = tempDir();
  try {
    const file = writeSettings(t.dir, { entries: { site: { provider: 'github', secret: 'x', repo: 'acme/site', update: 'none', commands: ['true'] } } });
    const daemon = await startDaemon(file);
    try {
      const ok = await fetch(`${daemon.base}/healthz`);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { status: 'ok' });
      const wrong = await fetch(`${daemon.base}/healthz`, { method: 'POST' });
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get('allow'), 'GET');
      assert.equal(((await wrong.json()) as { reason: string }).reason, 'use GET');
      const post = await fetch(`${daemon.base}/webhook/site`, { method: 'GET' });
      assert.equal(post.headers.get('allow'), 'POST');
      await daemon.waitForLine(/ delivery entry=site .*answer=405/);
      assert.equal(daemon.lines.some((l) => / info delivery .*healthz|client=.* answer=200 outcome=ok/.test(l)), false);
    } finally {
      await daemon.stop();
    }
  } finally {
    t.cleanup();
  }
});

test('status names a state dir that is not a folder (exit 2) instead of reporting "idle"', () => {
  requireBinary();
  const t = tempDir();
  try {
    const file = writeSettings(t.dir, { state_dir: 'a-file', entries: { site: { provider: 'github', secret: 'x', repo: 'acme/site', update: 'none', commands: ['true'] } } });
    runProcess('sh', ['-c', `echo > "${t.dir}/a-file"`]);
    const r = whauto(['status', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /state dir .*a-file is not a directory/);
  } finally {
    t.cleanup();
  }
});

test('serve says what is wrong with its arguments: a missing or an extra one (exit 2)', () => {
  requireBinary();
  const none = whauto(['serve']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^whauto serve: missing SETTINGS\n/);
  const extra = whauto(['serve', 'settings.yaml', 'extra']);
  assert.equal(extra.status, 2);
  assert.match(extra.stderr, /^whauto serve: unexpected argument 'extra'\n/);
});

test('check on a binary (the executable by mistake) gives one finding, not pages of YAML errors', () => {
  requireBinary();
  const r = whauto(['check', WHAUTO]);
  assert.equal(r.status, 2);
  assert.deepEqual(r.stdout.trim().split('\n').length, 2, r.stdout.slice(0, 500));
  assert.match(r.stdout, /error: this is not a settings file: it holds NUL bytes or bytes that are not UTF-8\n/);
});

test('serve, run as a user, refuses a state dir root owns and says to chown it, not to run as root', { skip: process.getuid?.() === 0 ? false : 'needs root to run as another user' }, () => {
  requireBinary();
  const t = tempDir();
  try {
    chmodSync(t.dir, 0o755);
    const file = writeSettings(t.dir, { entries: { a: { provider: 'plain', secret: 's', update: 'none', commands: ['true'] } } });
    chmodSync(file, 0o644);
    mkdirSync(join(t.dir, 'state'));
    const r = runProcess('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', WHAUTO, 'serve', file]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^whauto serve: the state dir .* belongs to root, not to you \(uid 65534\): a whauto command was run as root once; give it back to the user whauto runs as \(chown -R 65534 /);
    assert.doesNotMatch(r.stderr, /sudo -u root/);
  } finally {
    t.cleanup();
  }
});

test('serve refuses a state dir that belongs to another user (exit 2): as root it would leave files that user cannot change', { skip: process.getuid?.() === 0 ? false : 'needs root to chown the state dir' }, () => {
  requireBinary();
  const t = tempDir();
  try {
    const file = writeSettings(t.dir, { entries: { a: { provider: 'plain', secret: 's', update: 'none', commands: ['true'] } } });
    mkdirSync(join(t.dir, 'state'));
    chownSync(join(t.dir, 'state'), 12345, 12345);
    const r = whauto(['serve', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^whauto serve: the state dir .* belongs to another user \(uid 12345\), not to you: run serve as that user \(sudo -u '#12345' whauto serve …\)/);
    assert.deepEqual(readdirSync(join(t.dir, 'state')), [], 'nothing written in the state dir');
  } finally {
    t.cleanup();
  }
});

test('a daemon lock left by a crash whose pid another process has now does not keep the daemon from starting', async () => {
  const t = tempDir();
  const other = start('sleep', ['300']);
  try {
    const file = writeSettings(t.dir, { entries: { a: { provider: 'plain', secret: 's', update: 'none', commands: ['true'] } } });
    const state = join(t.dir, 'state');
    mkdirSync(join(state, 'locks'), { recursive: true });
    // As after a crash in a container: the lock names a pid that a new, unrelated process has.
    const lock = join(state, 'locks', `${createHash('sha256').update('daemon').digest('hex').slice(0, 24)}.lock`);
    writeFileSync(lock, JSON.stringify({ pid: other.proc.pid, identity: 'an-earlier-boot/4242', entry: '-', runId: 'daemon', since: '' }));
    const daemon = await startDaemon(file);
    try {
      assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, daemon.proc.pid, 'the daemon took the lock over');
    } finally {
      await daemon.stop();
    }
  } finally {
    await other.stop('SIGKILL');
    t.cleanup();
  }
});
