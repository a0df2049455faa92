// A quick look at the accepted path only (no table, no RESULTS.md): one daemon, wrk at 16
// and 64 connections, for finding where time goes while changing code. Besides throughput
// and latency it prints the daemon's CPU time per delivery and per thread (main thread,
// state writer and libuv threads), which is far less noisy than throughput on a shared machine.
//   node bench/quick.mjs [--tool whauto|webhook] [--seconds 4] [--connections 16,64] [--whauto BIN] [--profile DIR] [--keep-log FILE] [--refused]
// --refused sends a wrong signature (the refusal path) instead.
// --profile runs dist/whauto.cjs under `node --cpu-prof --cpu-prof-dir DIR` instead of the binary.
import { createHmac } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lines, quiesce, sleep, startDaemon, which, writeWebhookHooks, writeWhautoSettings, wrkLoad, wrkLua } from './lib.mjs';

/** CPU time (user + system, ms) of `pid` and its waited-for children, from /proc. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((n, k) => n + Number(f[k] ?? 0), 0);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** CPU time (ms) of each thread of `pid`, by thread name. */
function threadsMs(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = Number(tid) === pid ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) * 10;
    } catch { /* gone */ }
  }
  return out;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    tool: { type: 'string', default: 'whauto' },
    seconds: { type: 'string', default: '4' },
    profile: { type: 'string' },
    connections: { type: 'string', default: '16,64' },
    whauto: { type: 'string', default: join(root, 'dist/whauto') },
    'keep-log': { type: 'string' },
    refused: { type: 'boolean', default: false },
  },
});
const FIXTURE = join(root, '../shared/fixtures/github-push-branch.goscm.json');
const SECRET = 'topsecret';
const wrk = which('wrk');
if (!wrk) {
  console.log('quick: wrk not found (apt-get install wrk)');
  process.exit(0);
}
const body = readFileSync(FIXTURE);
const sig = `sha256=${createHmac('sha256', opt.refused ? 'wrong' : SECRET).update(body).digest('hex')}`;
const dir = mkdtempSync(join(tmpdir(), `quick-${opt.tool}-`));
const out = join(dir, 'out.txt');
const script = join(dir, 'append.sh');
writeFileSync(script, `#!/bin/sh\necho "start $(date +%s%N)" >> '${out}'\n`);
chmodSync(script, 0o755);
const port = 19000 + Math.floor(Math.random() * 4000);
const logFd = openSync(join(dir, 'daemon.log'), 'a');
let daemon;
let url;
if (opt.tool === 'webhook') {
  const hooks = writeWebhookHooks(dir, script, SECRET);
  daemon = await startDaemon(which('webhook'), ['-hooks', hooks, '-ip', '127.0.0.1', '-port', String(port)], { cwd: dir, logFd, port });
  url = `http://127.0.0.1:${port}/hooks/deploy`;
} else {
  const settings = writeWhautoSettings(dir, port, script, SECRET);
  const [cmd, args] = opt.profile
    ? [process.execPath, ['--cpu-prof', '--cpu-prof-dir', resolve(opt.profile), join(root, 'dist/whauto.cjs'), 'serve', settings]]
    : [resolve(opt.whauto), ['serve', settings]];
  daemon = await startDaemon(cmd, args, { cwd: dir, logFd, port });
  url = `http://127.0.0.1:${port}/webhook/deploy`;
}
const lua = wrkLua(dir, body);
try {
  await sleep(500);
  wrkLoad(wrk, 2, url, lua, sig, 16, !opt.refused); // warm-up
  await quiesce(daemon.pid, out);
  for (const c of opt.connections.split(',').map(Number)) {
    const cpu0 = cpuMs(daemon.pid);
    const threads0 = threadsMs(daemon.pid);
    const r = wrkLoad(wrk, Number(opt.seconds), url, lua, sig, c, !opt.refused);
    const runsBefore = lines(out).length;
    await quiesce(daemon.pid, out);
    const cpu = cpuMs(daemon.pid) - cpu0;
    const threads = Object.entries(threadsMs(daemon.pid)).map(([k, v]) => [k, v - (threads0[k] ?? 0)]).filter(([, v]) => v > 0);
    const answered = r.perSecond * Number(opt.seconds);
    console.log(`${opt.tool} c=${c}: ${r.perSecond.toFixed(0)} ${opt.refused ? 'refused' : 'accepted'}/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, non-2xx ${r.unexpected}, errors ${r.errors}, runs so far ${runsBefore}, daemon CPU ${(cpu * 1000 / answered).toFixed(0)} µs per delivery (with its children)`);
    console.log(`  CPU ms by thread over the load and quiesce: ${threads.map(([k, v]) => `${k} ${v}`).join(', ')}; all with children ${cpu}`);
  }
} finally {
  await daemon.stop();
  closeSync(logFd);
  if (opt['keep-log']) copyFileSync(join(dir, 'daemon.log'), opt['keep-log']);
  if (opt.profile) console.log('profiles:', readdirSync(resolve(opt.profile)).join(', '));
  rmSync(dir, { recursive: true, force: true });
}
