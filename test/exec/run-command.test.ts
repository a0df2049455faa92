import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../../src/exec/run-command.ts';
import type { CommandResult } from '../../src/exec/types.ts';
import { running, waitGone } from '../helpers/proc.ts';
import { tempDir } from '../helpers/tmp.ts';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

async function run(
  cmd: string | string[],
  extra: { timeoutMs?: number; graceMs?: number; env?: Record<string, string>; cwd?: string; signal?: AbortSignal; strayEnv?: string } = {},
): Promise<{ r: CommandResult; lines: string[] }> {
  const lines: string[] = [];
  const r = await runCommand({ run: cmd, timeout: null }, {
    cwd: extra.cwd ?? os.tmpdir(), env: extra.env ?? ENV, timeoutMs: extra.timeoutMs ?? 60_000,
    graceMs: extra.graceMs ?? 2000, onLine: (l) => lines.push(l), ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.strayEnv ? { strayEnv: extra.strayEnv } : {}),
  });
  return { r, lines };
}

test('runCommand runs a string through /bin/sh with exactly the given env', async () => {
  const { r, lines } = await run('echo "$GREETING" && echo "home=$HOME"', { env: { ...ENV, GREETING: 'hi there' } });
  assert.equal(r.exitCode, 0);
  assert.equal(r.error, null);
  assert.deepEqual(lines, ['hi there', 'home=']);
});

test('runCommand runs a list as an argv without a shell', async () => {
  const { r, lines } = await run(['echo', '$(id)', '`id`', 'a;b']);
  assert.equal(r.exitCode, 0);
  assert.deepEqual(lines, ['$(id) `id` a;b']);
});

test('runCommand hands the command exactly opts.env', async () => {
  const { lines } = await run(['env'], { env: { PATH: ENV.PATH, ONLY: 'this' } });
  assert.deepEqual(lines.sort(), [`PATH=${ENV.PATH}`, 'ONLY=this'].sort());
});

test('runCommand reports exit codes and runs in cwd', async () => {
  const { dir, cleanup } = tempDir('whauto-exec-');
  try {
    const { r, lines } = await run('pwd; exit 3', { cwd: dir });
    assert.equal(r.exitCode, 3);
    assert.equal(r.signal, null);
    assert.equal(r.timedOut, false);
    assert.deepEqual(lines, [dir]);
  } finally {
    cleanup();
  }
});

test('runCommand turns a missing program into a result, not a throw', async () => {
  const { r } = await run(['whauto-no-such-program']);
  assert.equal(r.exitCode, null);
  assert.equal(r.error, 'command not found: whauto-no-such-program');
  const shell = await run('whauto-no-such-program');
  assert.equal(shell.r.exitCode, 127);
  assert.ok(shell.lines.some((l) => l.includes('whauto-no-such-program')), 'the shell says what it did not find');
});

test('runCommand fails with "workdir X does not exist" for a missing cwd', async () => {
  const { r } = await run('true', { cwd: '/nonexistent/whauto-dir' });
  assert.equal(r.error, 'workdir /nonexistent/whauto-dir does not exist');
  assert.equal(r.exitCode, null);
});

test('runCommand keeps the order of interleaved stdout and stderr lines of a shell command', async () => {
  const { lines } = await run('echo 1; echo 2 >&2; echo 3; echo 4 >&2; echo 5');
  assert.deepEqual(lines, ['1', '2', '3', '4', '5']);
});

test('runCommand flushes a final line without newline and strips CR', async () => {
  const { lines } = await run(`printf 'a\\r\\nb'`);
  assert.deepEqual(lines, ['a', 'b']);
});

test('runCommand at its timeout kills the command and its children', { timeout: 120_000 }, async () => {
  const { r, lines } = await run('sleep 1000 & echo $!; wait', { timeoutMs: 300, graceMs: 2000 });
  assert.equal(r.timedOut, true);
  assert.equal(r.exitCode, null);
  assert.equal(r.signal, 'SIGTERM');
  const pid = Number(lines[0]);
  assert.ok(pid > 0);
  await waitGone(pid);
});

test('runCommand sends SIGKILL after the grace period when SIGTERM is ignored', { timeout: 120_000 }, async () => {
  const { r, lines } = await run(`trap '' TERM; sleep 1000 & echo $!; while :; do sleep 1; done`, { timeoutMs: 300, graceMs: 500 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
  await waitGone(Number(lines[0]));
});

test('runCommand is not held open by a background child that keeps its output pipe', { timeout: 120_000 }, async () => {
  const { r, lines } = await run('sleep 1000 & echo $!; echo done', { graceMs: 500 });
  assert.equal(r.exitCode, 0);
  assert.equal(r.timedOut, false);
  assert.equal(lines[1], 'done');
  // The run's log says the leftover was ended.
  assert.deepEqual(lines.slice(2).map((l) => l.replace(/;.*/, '')), ['whauto: the command left processes running in its process group']);
  await waitGone(Number(lines[0]));
});

test('runCommand ends a child that left its group (setsid) but holds the output, found by its marker, at once', { timeout: 120_000 }, async () => {
  const graceMs = 20_000;
  const t0 = Date.now();
  const { r, lines } = await run('setsid sleep 1000 & echo $!; echo done', {
    graceMs, env: { ...ENV, WHAUTO_RUN_ID: `exec-test-${process.pid}` }, strayEnv: 'WHAUTO_RUN_ID',
  });
  assert.equal(r.exitCode, 0);
  assert.ok(Date.now() - t0 < 2 * graceMs, 'not held until the pipes were cut loose');
  assert.match(lines.at(-1) ?? '', /^whauto: the command left processes running outside its process group \(setsid\); they were ended/);
  await waitGone(Number(lines[0]));
});

test('runCommand leaves alone a child that left its group and closed its output (a service started on purpose), while ending one that holds it', { timeout: 120_000 }, async () => {
  const { r, lines } = await run('setsid sleep 1001 >/dev/null 2>&1 </dev/null & echo $!; setsid sleep 1002 & echo $!', {
    graceMs: 20_000, env: { ...ENV, WHAUTO_RUN_ID: `exec-test-service-${process.pid}` }, strayEnv: 'WHAUTO_RUN_ID',
  });
  const [service, holder] = [Number(lines[0]), Number(lines[1])];
  try {
    assert.equal(r.exitCode, 0);
    await waitGone(holder);
    assert.ok(running(service), 'the service that closed its output runs on');
  } finally {
    try { process.kill(service, 'SIGKILL'); } catch { /* gone */ }
  }
});

test('runCommand does not report a background child that ends by itself just after the command', { timeout: 120_000 }, async () => {
  // As git's helpers after a failed fetch: still exiting when the main process is gone.
  const { r, lines } = await run('(sleep 0.02) >/dev/null 2>&1 & echo done', { graceMs: 500 });
  assert.equal(r.exitCode, 0);
  assert.deepEqual(lines, ['done'], 'no "left processes running" line');
});

test('runCommand ends a detached background child of its group after the main process exits', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir('whauto-exec-');
  try {
    const { r } = await run('sleep 1000 >/dev/null 2>&1 & echo $! > pid', { cwd: dir, graceMs: 500 });
    assert.equal(r.exitCode, 0);
    await waitGone(Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8')));
  } finally {
    cleanup();
  }
});

test('runCommand on abort kills the group and reports aborted', { timeout: 120_000 }, async () => {
  const ac = new AbortController();
  const pending = run(['sh', '-c', 'echo started; sleep 1000'], { signal: ac.signal });
  setTimeout(() => ac.abort(), 200);
  const { r } = await pending;
  assert.equal(r.aborted, true);
  assert.equal(r.timedOut, false);
  assert.equal(r.signal, 'SIGTERM');
});

test('runCommand does not start when the signal is already aborted', async () => {
  const ac = new AbortController();
  ac.abort();
  const { dir, cleanup } = tempDir('whauto-exec-');
  try {
    const { r } = await run('touch ran', { cwd: dir, signal: ac.signal });
    assert.equal(r.aborted, true);
    assert.equal(fs.existsSync(path.join(dir, 'ran')), false);
  } finally {
    cleanup();
  }
});

test('runCommand streams 50 MB of output line by line without holding it', { timeout: 120_000 }, async () => {
  let bytes = 0;
  let count = 0;
  let longest = 0;
  let peak = 0;
  const base = process.memoryUsage().rss;
  const r = await runCommand({ run: 'head -c 52428800 /dev/zero | tr "\\0" "a" | fold -w 1000; head -c 200000 /dev/zero | tr "\\0" b', timeout: null }, {
    cwd: os.tmpdir(), env: ENV, timeoutMs: 100_000, onLine: (l) => {
      bytes += l.length;
      count += 1;
      longest = Math.max(longest, l.length);
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss - base);
    },
  });
  assert.equal(r.exitCode, 0);
  assert.equal(bytes, 52428800 + 200000);
  assert.equal(longest, 65536, 'a 200 kB line is split at 64 KiB');
  // Holding the output whole would take well over 100 MB (UTF-16 strings).
  assert.ok(peak < 100 * 1024 * 1024, `rss grew by ${peak} bytes`);
});
