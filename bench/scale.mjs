// The scale runs of the benchmark (whauto only): the same figure with little and with much
// behind it, so that a cost that grows with the past shows. Called by run.mjs.
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, nowMs, post, quiesce, sleep, startDaemon, wrkLoad, wrkLua } from './lib.mjs';

let nextPort = 24000 + Math.floor(Math.random() * 4000);

/** A run id as whauto makes them, for `ms` since the epoch. */
const runId = (ms, i) => `${new Date(ms).toISOString().replace(/[-:.]/g, '')}-${(i % 65536).toString(16).padStart(4, '0')}`;

/** Writes `n` finished run records (and empty logs) of `entry` into `stateDir`, as whauto writes them. */
function history(stateDir, entry, n) {
  const dir = join(stateDir, 'runs', entry);
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now() - n * 60_000;
  for (let i = 0; i < n; i++) {
    const id = runId(t0 + i * 60_000, i);
    const start = new Date(t0 + i * 60_000).toISOString();
    const delivery = { forge: 'github', event: 'push', deliveryId: `d-${i}`, ref: 'refs/heads/master', before: '1'.repeat(40), after: '2'.repeat(40), pusher: 'octocat', repository: 'Codertocat/Hello-World', receivedAt: start };
    writeFileSync(join(dir, `${id}.json`), JSON.stringify({
      id, entry, trigger: 'webhook', target: { kind: 'branch', name: 'master' }, deliveries: [delivery], deliveryCount: 1,
      previous: null, commit: null, startedAt: start, endedAt: new Date(t0 + i * 60_000 + 20).toISOString(), step: null,
      steps: [{ kind: 'commands', name: 'append.sh', exitCode: 0, signal: null, durationMs: 15, ok: true }],
      result: 'succeeded', message: null, pid: 1, logFile: join(dir, `${id}.log`),
    }), { mode: 0o600 });
    writeFileSync(join(dir, `${id}.log`), '==> commands: append.sh\n');
  }
}

/** Settings for one entry `deploy` running `script`, with /metrics on. */
function settingsFor(dir, port, script, secret, extra = []) {
  const file = join(dir, 'settings.yaml');
  writeFileSync(file, [
    `listen: 127.0.0.1:${port}`, `state_dir: ${join(dir, 'state')}`, 'metrics: true', ...extra, 'entries:', '  deploy:',
    '    provider: github', `    secret: ${secret}`, '    repo: Codertocat/Hello-World', '    branch: master',
    '    update: none', `    workdir: ${dir}`, `    commands: [[${script}]]`, '',
  ].join('\n'), { mode: 0o600 });
  return file;
}

/** A command script in `dir`: appends a line to out.txt; with a gate, first waits while the file `gate` exists. */
function command(dir, gated) {
  const script = join(dir, 'append.sh');
  writeFileSync(script, `#!/bin/sh\n${gated ? `while [ -e '${join(dir, 'gate')}' ]; do sleep 0.05; done\n` : ''}echo "start $(date +%s%N)" >> '${join(dir, 'out.txt')}'\n`);
  chmodSync(script, 0o755);
  return script;
}

/** Median wall time (ms) of `cmd args`, `n` times. */
function timeCmd(cmd, args, n = 5) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = nowMs();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    ms.push(nowMs() - t);
  }
  return median(ms);
}

/** RSS and heap used (MB) as the daemon's /metrics says. */
function memory(port) {
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/metrics`, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => {
        const v = (name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
        resolve({ rss: v('process_resident_memory_bytes'), heap: v('nodejs_heap_size_used_bytes') });
      });
    }).on('error', reject);
  });
}

/** A daemon on a fresh dir: `prepare(dir)` before start; resolves with what `use` returns, then stops it. */
async function withDaemon({ whautoBin, secret }, { gated = false, extra = [], prepare = () => undefined }, use) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const port = nextPort++;
  const logFd = openSync(join(dir, 'daemon.log'), 'a');
  const script = command(dir, gated);
  const settings = settingsFor(dir, port, script, secret, extra);
  prepare(dir);
  let daemon;
  try {
    const t = nowMs();
    daemon = await startDaemon(whautoBin, ['serve', settings], { cwd: dir, logFd, port });
    const startMs = nowMs() - t;
    return await use({ dir, port, settings, daemon, startMs, url: `http://127.0.0.1:${port}/webhook/deploy`, lua: wrkLua(dir, opts.body) });
  } finally {
    await daemon?.stop();
    closeSync(logFd);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

let opts;

/** Runs the scale scenarios; returns table rows [figure, small, large, large ÷ small, target]. */
export async function scale(o) {
  opts = o;
  const { whautoBin, wrkBin, good, seconds, secret } = o;
  const rows = [];
  const add = (label, small, large, digits, target = '') => rows.push([label, small.toFixed(digits), large.toFixed(digits), small > 0 ? `${(large / small).toFixed(2)}x` : '', target]);

  // History: 10 and 10,000 finished runs.
  const hist = {};
  for (const n of [10, 10_000]) {
    hist[n] = await withDaemon(o, { extra: ['keep_runs: 20000'], prepare: (dir) => history(join(dir, 'state'), 'deploy', n) }, async ({ daemon, settings, url, lua, dir, port, startMs }) => {
      const load = wrkLoad(wrkBin, seconds, url, lua, good, 16, true);
      await quiesce(daemon.pid, join(dir, 'out.txt'));
      const status = timeCmd(whautoBin, ['status', settings, 'deploy', '--runs', '20']);
      const json = timeCmd(whautoBin, ['status', settings, '--json']);
      await daemon.stop();
      // serve start-up again, on the history as it is now (the first start, startMs, read a
      // history written without running marks once).
      const starts = [];
      for (let i = 0; i < 3; i++) {
        const t = nowMs();
        const d = await startDaemon(whautoBin, ['serve', settings], { cwd: dir, logFd: 'ignore', port });
        starts.push(nowMs() - t);
        await d.stop();
      }
      return { perSecond: load.perSecond, p99: load.p99, status, json, start: median(starts), firstStart: startMs };
    });
    console.log(`  scale: ${n} runs: ${hist[n].perSecond.toFixed(0)} accepted/s, status --runs 20 ${hist[n].status.toFixed(0)} ms, serve start ${hist[n].start.toFixed(0)} ms`);
  }
  add('accepted deliveries/s, 16 conn: 10 / 10,000 runs in the history', hist[10].perSecond, hist[10_000].perSecond, 0, 'the same');
  add('status ENTRY --runs 20 ms: 10 / 10,000 runs', hist[10].status, hist[10_000].status, 0, '< 200 ms');
  add('status --json ms: 10 / 10,000 runs', hist[10].json, hist[10_000].json, 0);
  add('serve start-up ms (to listening): 10 / 10,000 runs', hist[10].start, hist[10_000].start, 0, '< 200 ms');
  add('first start on a history without running marks (upgrade) ms', hist[10].firstStart, hist[10_000].firstStart, 0);

  // Coalesced: 0 and 20,000 deliveries already in the waiting run.
  const co = await withDaemon(o, { gated: true, prepare: (dir) => writeFileSync(join(dir, 'gate'), '') }, async ({ url, lua }) => {
    const first = await post(url, { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'first', 'x-hub-signature-256': good }, o.body);
    if (first.status !== 202) throw new Error(`first delivery answered ${first.status}`);
    await sleep(500); // its run started and holds: what comes now waits
    const early = wrkLoad(wrkBin, seconds, url, lua, good, 16, true);
    let coalesced = early.perSecond * seconds;
    while (coalesced < 20_000) coalesced += wrkLoad(wrkBin, seconds, url, lua, good, 64, true).perSecond * seconds;
    const late = wrkLoad(wrkBin, seconds, url, lua, good, 16, true);
    return { early, late, coalesced };
  });
  console.log(`  scale: coalesced: ${co.early.perSecond.toFixed(0)} accepted/s first, ${co.late.perSecond.toFixed(0)} after ${co.coalesced.toFixed(0)}`);
  add('accepted deliveries/s, 16 conn: 0 / 20,000+ already coalesced', co.early.perSecond, co.late.perSecond, 0, 'the same');
  add('accepted ack p99 ms, 16 conn: 0 / 20,000+ already coalesced', co.early.p99, co.late.p99, 2);

  // Memory after 25k and 100k accepted deliveries.
  const mem = await withDaemon(o, {}, async ({ url, lua, port, daemon, dir }) => {
    let accepted = 0;
    const at = {};
    for (const mark of [25_000, 100_000]) {
      while (accepted < mark) accepted += wrkLoad(wrkBin, seconds, url, lua, good, 64, true).perSecond * seconds;
      await quiesce(daemon.pid, join(dir, 'out.txt'));
      await sleep(2_000);
      at[mark] = await memory(port);
    }
    return at;
  });
  console.log(`  scale: memory: RSS ${mem[25_000].rss.toFixed(1)} → ${mem[100_000].rss.toFixed(1)} MB, heap ${mem[25_000].heap.toFixed(1)} → ${mem[100_000].heap.toFixed(1)} MB`);
  add('RSS MB (daemon): after 25k / 100k accepted', mem[25_000].rss, mem[100_000].rss, 1, 'no growth');
  add('heap used MB: after 25k / 100k accepted', mem[25_000].heap, mem[100_000].heap, 1, 'no growth');

  // check: 1 and 200 entries.
  const checks = {};
  for (const n of [1, 200]) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
    const file = join(dir, 'settings.yaml');
    writeFileSync(file, [`state_dir: ${join(dir, 'state')}`, 'entries:', ...Array.from({ length: n }, (_, i) => [
      `  site${i}:`, '    provider: github', `    secret: ${secret}`, `    repo: acme/site${i}`, '    branch: main',
      `    repodir: ${join(dir, `site${i}`)}`, '    commands: [[true]]',
    ]).flat(), ''].join('\n'), { mode: 0o600 });
    checks[n] = timeCmd(whautoBin, ['check', file]);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  add('check ms: 1 / 200 entries', checks[1], checks[200], 0);
  return rows;
}
