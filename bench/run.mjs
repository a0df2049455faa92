// whauto against adnanh/webhook, side by side, on loopback (issue 6).
//   npm run bench [-- --rounds 3 --seconds 4 --whauto dist/whauto]
// Needs `webhook` and `wrk` (Debian/Ubuntu: apt-get install webhook wrk); installs nothing and
// skips, saying so, what it cannot run. Prints one table and writes bench/RESULTS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Agent } from 'node:http';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lines, machine, writeWebhookHooks, writeWhautoSettings, wrkLoad, wrkLua, nowMs, post, quiesce, rssSampler, sleep, startDaemon, summary, treeRssMb, waitFor, which } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '4' },
    whauto: { type: 'string', default: join(root, 'dist/whauto') },
    out: { type: 'string', default: join(root, 'bench/RESULTS.md') },
  },
});
const ROUNDS = Number(opt.rounds);
const SECONDS = Number(opt.seconds);
const SECRET = 'topsecret';
const FIXTURE = join(root, '../shared/fixtures/github-push-branch.goscm.json');
const BURST = 500;
const CONNECTIONS = [16, 64];

// ---- what is there --------------------------------------------------------------------
if (!existsSync(FIXTURE)) {
  console.log(`bench: skipped: the fixture ${FIXTURE} is missing (it lives in ../shared/fixtures beside the repository).`);
  process.exit(0);
}
const webhookBin = which('webhook');
const wrkBin = which('wrk');
if (!webhookBin) console.log('bench: adnanh/webhook not found: its column is skipped (Debian/Ubuntu: apt-get install webhook).');
if (!wrkBin) console.log('bench: wrk not found: the load scenarios are skipped (Debian/Ubuntu: apt-get install wrk).');
const builtBin = resolve(opt.whauto);
if (!existsSync(builtBin)) {
  console.log(`bench: ${builtBin} missing: building it (node build.mjs)`);
  execFileSync(process.execPath, [join(root, 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
// The binary is measured as installed: copied, the way a user puts the one file on a server.
// Fresh from the build, its file's pages sit in the page cache in large blocks (the build
// writes 95 MB at once), and the daemon then maps ~14 MB more of them, counted in its RSS;
// a copied binary, or the same one after a reboot, maps ~32 MB at idle (measured on Linux 6.18).
const installDir = mkdtempSync(join(tmpdir(), 'bench-installed-'));
const whautoBin = join(installDir, 'whauto');
copyFileSync(builtBin, whautoBin);
chmodSync(whautoBin, 0o755);
process.on('exit', () => rmSync(installDir, { recursive: true, force: true }));

const body = readFileSync(FIXTURE);
const sign = (secret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const headers = (sig) => ({
  'content-type': 'application/json', 'x-github-event': 'push',
  'x-github-delivery': 'ee8d97b4-1479-43f1-9cac-fbbd1b80da55', 'x-hub-signature-256': sig,
});
const GOOD = sign(SECRET);
const BAD = sign('not-the-secret');

// ---- the two daemons, configured for the same job ---------------------------------------
let nextPort = 19000 + Math.floor(Math.random() * 4000);

/** The command both run: appends a line (its start time in ns) to out.txt; with sleep, a second line after. */
function writeCommand(dir, sleepSeconds) {
  const script = join(dir, 'append.sh');
  const out = join(dir, 'out.txt');
  writeFileSync(script, sleepSeconds
    ? `#!/bin/sh\necho "start $(date +%s%N)" >> '${out}'\nsleep ${sleepSeconds}\necho "end $(date +%s%N)" >> '${out}'\n`
    : `#!/bin/sh\necho "start $(date +%s%N)" >> '${out}'\n`);
  chmodSync(script, 0o755);
  return { script, out };
}

const TOOLS = {
  whauto: {
    available: true,
    async start(dir, port, script, logFd) {
      // update: none: no git in the hot path, the same job as webhook's.
      const settings = writeWhautoSettings(dir, port, script, SECRET);
      return startDaemon(whautoBin, ['serve', settings], { cwd: dir, logFd, port });
    },
    url: (port) => `http://127.0.0.1:${port}/webhook/deploy`,
  },
  webhook: {
    available: webhookBin !== null,
    async start(dir, port, script, logFd) {
      const hooks = writeWebhookHooks(dir, script, SECRET);
      return startDaemon(webhookBin, ['-hooks', hooks, '-ip', '127.0.0.1', '-port', String(port)], { cwd: dir, logFd, port });
    },
    url: (port) => `http://127.0.0.1:${port}/hooks/deploy`,
  },
  // Not a contender: the floor (see reference-server.mjs); only its accepted throughput is measured.
  reference: {
    available: true,
    loadOnly: true,
    async start(dir, port, script, logFd) {
      return startDaemon(process.execPath, [join(root, 'bench/reference-server.mjs'), String(port), SECRET], { cwd: dir, logFd, port });
    },
    url: (port) => `http://127.0.0.1:${port}/hooks/deploy`,
  },
};

// ---- scenarios --------------------------------------------------------------------------

/** One delivery on the idle daemon: ms from its answer to the command's first line. */
async function ackToFirstLine(url, out) {
  const before = lines(out).length;
  const res = await post(url, headers(GOOD), body);
  if (res.status >= 300) throw new Error(`delivery answered ${res.status}: ${res.body}`);
  const line = await waitFor(() => lines(out)[before], 10_000, 1);
  if (!line) return null;
  return Number(BigInt(line.split(' ')[1]) / 1000n) / 1000 - res.ms;
}

/** BURST deliveries as fast as 50 connections allow while the command takes 2 s. */
async function burst(url, pid, out) {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const t0 = nowMs();
  const answers = await Promise.all(Array.from({ length: BURST }, () => post(url, headers(GOOD), body, agent).then((r) => r.status, () => 0)));
  const sentMs = nowMs() - t0;
  agent.destroy();
  await quiesce(pid, out, { quietMs: 3_000, timeoutMs: 120_000 });
  const ls = lines(out);
  const ends = ls.filter((l) => l.startsWith('end ')).map((l) => Number(BigInt(l.split(' ')[1]) / 1000n) / 1000);
  return {
    runs: ls.filter((l) => l.startsWith('start ')).length,
    lastDoneS: ends.length ? (Math.max(...ends) - t0) / 1000 : null,
    sentMs,
    accepted: answers.filter((s) => s >= 200 && s < 300).length,
  };
}

async function oneTool(name, round) {
  const tool = TOOLS[name];
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const logFd = openSync(join(dir, 'daemon.log'), 'a');
  const port = nextPort++;
  const { script, out } = writeCommand(dir, 0);
  const r = {};
  let daemon;
  try {
    daemon = await tool.start(dir, port, script, logFd);
    const url = tool.url(port);
    if (tool.loadOnly) {
      if (!wrkBin) return r;
      const lua = wrkLua(dir, body);
      wrkLoad(wrkBin, SECONDS, url, lua, GOOD, 16, true); // warm-up, not counted
      for (const c of CONNECTIONS) r[`accepted${c}`] = wrkLoad(wrkBin, SECONDS, url, lua, GOOD, c, true);
      console.log(`  round ${round} ${name}: accepted/s ${r.accepted16.perSecond.toFixed(0)} (16) ${r.accepted64.perSecond.toFixed(0)} (64)`);
      return r;
    }
    await sleep(1_000);
    r.idleRss = treeRssMb(daemon.pid);
    r.ackToLine = await ackToFirstLine(url, out);
    await quiesce(daemon.pid, out);
    if (wrkBin) {
      const lua = wrkLua(dir, body);
      const sampler = rssSampler(daemon.pid);
      wrkLoad(wrkBin, SECONDS, url, lua, GOOD, 16, true); // warm-up, not counted
      await quiesce(daemon.pid, out);
      for (const c of CONNECTIONS) {
        for (const [kind, sig, ok] of [['accepted', GOOD, true], ['refused', BAD, false]]) {
          const l = wrkLoad(wrkBin, SECONDS, url, lua, sig, c, ok);
          r[`${kind}${c}`] = l;
          if (l.unexpected > 0 || l.errors > 0) console.log(`  note: ${name} ${kind} c=${c}: ${l.unexpected} unexpected answers, ${l.errors} socket errors`);
          await quiesce(daemon.pid, out);
        }
      }
      r.peakRss = sampler.stop();
      r.afterLoadRss = treeRssMb(daemon.pid);
    }
    writeCommand(dir, 2);
    rmSync(out, { force: true });
    const b = await burst(url, daemon.pid, out);
    r.burst = b;
    console.log(`  round ${round} ${name}: idle ${r.idleRss.toFixed(1)} MB, ack→line ${r.ackToLine?.toFixed(1)} ms` +
      (r.accepted16 ? `, accepted/s ${r.accepted16.perSecond.toFixed(0)} (16) ${r.accepted64.perSecond.toFixed(0)} (64), peak ${r.peakRss.toFixed(1)} MB` : '') +
      `, burst: ${b.accepted}/${BURST} accepted in ${b.sentMs.toFixed(0)} ms, ${b.runs} runs, last done ${b.lastDoneS?.toFixed(2)} s`);
  } finally {
    await daemon?.stop();
    closeSync(logFd);
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

/** Wall time (ms) of `cmd args`, `n` times. */
function coldStart(cmd, args, n, cwd) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = nowMs();
    spawnSync(cmd, args, { cwd, stdio: 'ignore' });
    out.push(nowMs() - t);
  }
  return out;
}

// ---- run --------------------------------------------------------------------------------
const names = Object.keys(TOOLS).filter((n) => TOOLS[n].available);
const results = Object.fromEntries(names.map((n) => [n, []]));
const started = Date.now();
console.log(`bench: ${ROUNDS} rounds, ${SECONDS} s per load, tools alternating: ${names.join(', ')}`);
for (let round = 1; round <= ROUNDS; round++) {
  const order = round % 2 ? names : [...names].reverse();
  for (const name of order) results[name].push(await oneTool(name, round));
}
const cold = { whautoCheck: [], whautoVersion: [], webhookVersion: [] };
for (let i = 0; i < Math.max(ROUNDS, 3) * 3; i++) {
  cold.whautoCheck.push(...coldStart(whautoBin, ['check', join(root, 'examples/settings.yaml')], 1, root));
  cold.whautoVersion.push(...coldStart(whautoBin, ['--version'], 1, root));
  if (webhookBin) cold.webhookVersion.push(...coldStart(webhookBin, ['-version'], 1, root));
}

// ---- table ------------------------------------------------------------------------------
const pick = (name, f) => summary((results[name] ?? []).map(f));
const fmt = (s, digits) => (s ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : 'n/a');
const rows = [];
const row = (label, f, digits, target = '', better = 'higher', wf = f) => {
  const a = pick('whauto', f);
  const b = webhookBin ? pick('webhook', wf) : null;
  const ratio = a && b && b.median > 0 ? `${(a.median / b.median).toFixed(2)}x` : '';
  rows.push([label, fmt(a, digits), b ? fmt(b, digits) : 'n/a', ratio, target]);
};
for (const c of CONNECTIONS) {
  if (!wrkBin) break;
  row(`accepted deliveries/s, ${c} conn`, (r) => r[`accepted${c}`]?.perSecond, 0, '≥ 3x');
  row(`accepted ack p50 ms, ${c} conn`, (r) => r[`accepted${c}`]?.p50, 2);
  row(`accepted ack p99 ms, ${c} conn`, (r) => r[`accepted${c}`]?.p99, 2, '≤ 1/3');
  row(`refused deliveries/s, ${c} conn`, (r) => r[`refused${c}`]?.perSecond, 0);
  row(`refused ack p50 ms, ${c} conn`, (r) => r[`refused${c}`]?.p50, 2);
  row(`refused ack p99 ms, ${c} conn`, (r) => r[`refused${c}`]?.p99, 2);
}
for (const c of CONNECTIONS) {
  if (!wrkBin) break;
  const f = (r) => r[`accepted${c}`]?.perSecond;
  const a = pick('reference', f);
  const b = webhookBin ? pick('webhook', f) : null;
  rows.push([`floor: bare node:http, verify + parse only, /s, ${c} conn`, fmt(a, 0), b ? fmt(b, 0) : 'n/a', a && b ? `${(a.median / b.median).toFixed(2)}x` : '', '']);
}
row(`burst of ${BURST}, 2 s command: runs`, (r) => r.burst.runs, 0, '≤ 2');
row(`burst: last run done, s after first send`, (r) => r.burst.lastDoneS, 2);
row('burst: answers 2xx', (r) => r.burst.accepted, 0);
row('ack → first line ms, idle daemon', (r) => r.ackToLine, 1, '< 50 ms');
row('RSS idle MB (with children)', (r) => r.idleRss, 1, '< 60 MB');
if (wrkBin) {
  row('RSS peak MB under load (with children)', (r) => r.peakRss, 1, '< 120 MB');
  row('RSS after load MB', (r) => r.afterLoadRss, 1);
}
const cs = (xs) => summary(xs);
rows.push(['cold start ms: check examples/settings.yaml', fmt(cs(cold.whautoCheck), 1), 'n/a', '', '']);
rows.push(['cold start ms: --version / -version', fmt(cs(cold.whautoVersion), 1), webhookBin ? fmt(cs(cold.webhookVersion), 1) : 'n/a',
  webhookBin ? `${(cs(cold.whautoVersion).median / cs(cold.webhookVersion).median).toFixed(2)}x` : '', '']);

const head = ['figure', 'whauto median (min–max)', 'adnanh/webhook median (min–max)', 'ratio', 'target'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
const table = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
console.log(`\n${table}\n`);

const m = machine();
let webhookVersion = '';
try { webhookVersion = webhookBin ? execFileSync(webhookBin, ['-version']).toString().trim() : ''; } catch { /* none */ }
const md = `# Benchmark results

Written by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}, in ${((Date.now() - started) / 1000).toFixed(0)} s.

Machine: ${m.cpu}, ${m.cores} cores, ${m.memGb} GB memory, ${m.kernel}; Node ${m.node}; ${execFileSync(whautoBin, ['--version']).toString().trim()}${webhookVersion ? `; ${webhookVersion}` : ''}${wrkBin ? '; wrk as load generator (2 threads)' : ''}.

The job, the same for both: a GitHub push entry with secret, branch filter master, and a
command that appends a line to a file (whauto: \`update: none\`, so no git in the hot path).
Delivery: \`github-push-branch.goscm.json\` (${body.length} bytes), signed with X-Hub-Signature-256;
refused: the same with a wrong signature (webhook set to answer 403 like whauto). ${ROUNDS} rounds,
tools alternating, ${SECONDS} s per load scenario after a warm-up; loopback only. Median (min–max)
over the rounds. ratio = whauto / webhook. Ack latency is what the load generator saw.
Note that webhook runs the command once per accepted delivery (thousands of processes under
load), while whauto coalesces waiting deliveries into one run per entry.
The "floor" rows run bench/reference-server.mjs in the same rounds: a bare node:http server
that only reads, verifies and parses each delivery and answers 202 (no disk, queue, runs or
log); its column is that server's figure, its ratio against webhook. It bounds what a Node
receiver can reach on this machine; whauto also makes each delivery durable before its 202.
whauto runs from a copy of dist/whauto, as installed: the file fresh from the build maps ~14 MB
more of its own pages (page cache, counted in RSS) because of how the build writes it.

${table}
`;
writeFileSync(opt.out, md);
console.log(`bench: written ${opt.out}`);
