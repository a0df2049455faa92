// whauto against adnanh/webhook and the floor, side by side, on loopback; then the scale runs.
//   npm run bench [-- --rounds 3 --seconds 4 --whauto dist/whauto --no-scale]
// Needs `webhook` and `wrk` (Debian/Ubuntu: apt-get install webhook wrk); installs nothing and
// skips, saying so, what it cannot run. Prints the tables and writes bench/RESULTS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Agent } from 'node:http';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { diskSyncLatency, lines, median, machine, startWriter, writeWebhookHooks, writeWhautoSettings, wrkLoad, wrkLua, nowMs, post, quiesce, rssSampler, sleep, startDaemon, summary, treeRssMb, waitFor, which } from './lib.mjs';
import { scale } from './scale.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '4' },
    whauto: { type: 'string', default: join(root, 'dist/whauto') },
    out: { type: 'string', default: join(root, 'bench/RESULTS.md') },
    'no-scale': { type: 'boolean', default: false },
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
  // Not contenders: the floors (see reference-server.mjs); only their accepted throughput is measured.
  reference: {
    available: true,
    loadOnly: true,
    async start(dir, port, script, logFd) {
      return startDaemon(process.execPath, [join(root, 'bench/reference-server.mjs'), String(port), SECRET], { cwd: dir, logFd, port });
    },
    url: (port) => `http://127.0.0.1:${port}/hooks/deploy`,
  },
  durableReference: {
    available: true,
    loadOnly: true,
    async start(dir, port, script, logFd) {
      return startDaemon(process.execPath, [join(root, 'bench/reference-server.mjs'), String(port), SECRET, join(dir, 'journal')], { cwd: dir, logFd, port });
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
      const writer = startWriter(join(dir, 'other-writer'));
      for (const c of CONNECTIONS) r[`writer${c}`] = wrkLoad(wrkBin, SECONDS, url, lua, GOOD, c, true);
      await writer.stop();
      console.log(`  round ${round} ${name}: accepted/s ${r.accepted16.perSecond.toFixed(0)} (16) ${r.accepted64.perSecond.toFixed(0)} (64); beside a writer ${r.writer16.perSecond.toFixed(0)} (16) ${r.writer64.perSecond.toFixed(0)} (64)`);
      return r;
    }
    await sleep(1_000);
    r.idleRss = treeRssMb(daemon.pid);
    // The first delivery also starts the state writer's thread: said apart from the idle daemon's.
    r.ackToLineCold = await ackToFirstLine(url, out);
    await quiesce(daemon.pid, out);
    const warm = [];
    for (let i = 0; i < 5; i++) {
      warm.push(await ackToFirstLine(url, out));
      await quiesce(daemon.pid, out);
    }
    r.ackToLine = warm.includes(null) ? null : median(warm);
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
      // Another process writing to the same filesystem meanwhile (see startWriter).
      const writer = startWriter(join(dir, 'other-writer'));
      for (const c of CONNECTIONS) {
        r[`writer${c}`] = wrkLoad(wrkBin, SECONDS, url, lua, GOOD, c, true);
        await quiesce(daemon.pid, out);
      }
      await writer.stop();
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
const diskDir = mkdtempSync(join(tmpdir(), 'bench-disk-'));
const disk = diskSyncLatency(diskDir);
rmSync(diskDir, { recursive: true, force: true });
const pick = (name, f) => summary((results[name] ?? []).map(f));
const fmt = (s, digits) => (s ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : 'n/a');
const ratio = (a, b) => (a && b && b.median > 0 ? `${(a.median / b.median).toFixed(2)}x` : '');
const rows = [];
/** A row: whauto, webhook, whauto ÷ webhook, and whauto ÷ the floor of `floorF` (throughput rows). */
const row = (label, f, digits, target = '', floorF = null) => {
  const a = pick('whauto', f);
  const b = webhookBin ? pick('webhook', f) : null;
  const floor = floorF ? pick('reference', floorF) : null;
  rows.push([label, fmt(a, digits), b ? fmt(b, digits) : 'n/a', ratio(a, b), ratio(a, floor), target]);
};
for (const c of CONNECTIONS) {
  if (!wrkBin) break;
  row(`accepted deliveries/s, ${c} conn`, (r) => r[`accepted${c}`]?.perSecond, 0, '≥ 3x; ≥ 0.4x floor', (r) => r[`accepted${c}`]?.perSecond);
  row(`accepted ack p50 ms, ${c} conn`, (r) => r[`accepted${c}`]?.p50, 2);
  row(`accepted ack p99 ms, ${c} conn`, (r) => r[`accepted${c}`]?.p99, 2, '≤ 1/3 (0.33x)');
  row(`accepted deliveries/s, ${c} conn, beside another writer`, (r) => r[`writer${c}`]?.perSecond, 0, '', (r) => r[`writer${c}`]?.perSecond);
  row(`accepted ack p99 ms, ${c} conn, beside another writer`, (r) => r[`writer${c}`]?.p99, 2);
  row(`refused deliveries/s, ${c} conn`, (r) => r[`refused${c}`]?.perSecond, 0);
  row(`refused ack p99 ms, ${c} conn`, (r) => r[`refused${c}`]?.p99, 2);
}
for (const [tool, what] of [['reference', 'floor: bare node:http, verify + parse, no disk'], ['durableReference', 'durable floor: the same + one O_DSYNC write per group']]) {
  for (const c of CONNECTIONS) {
    if (!wrkBin) break;
    for (const [key, beside] of [['accepted', ''], ['writer', ', beside another writer']]) {
      const f = (r) => r[`${key}${c}`]?.perSecond;
      const a = pick(tool, f);
      const b = webhookBin ? pick('webhook', f) : null;
      rows.push([`${what}, /s, ${c} conn${beside}`, fmt(a, 0), b ? fmt(b, 0) : 'n/a', ratio(a, b), tool === 'reference' ? '1.00x' : ratio(a, pick('reference', f)), '']);
    }
  }
}
const limit = (ms) => `${ms.toFixed(3)} ms (${(1000 / ms).toFixed(0)} writes/s)`;
rows.push(['limit: disk O_DSYNC 4 KB write in place (whauto\'s journal)', limit(disk.inPlaceMs), '', '', '', '']);
rows.push(['limit: disk O_DSYNC 4 KB append (file grows)', limit(disk.appendMs), '', '', '', '']);
row(`burst of ${BURST}, 2 s command: runs`, (r) => r.burst.runs, 0, '≤ 2');
row(`burst: last run done, s after first send`, (r) => r.burst.lastDoneS, 2);
row('burst: answers 2xx', (r) => r.burst.accepted, 0);
row('ack → first line ms, idle daemon (median of 5 deliveries)', (r) => r.ackToLine, 1, '< 10 ms');
row('ack → first line ms, the daemon\'s first delivery', (r) => r.ackToLineCold, 1, '');
row('RSS idle MB (with children)', (r) => r.idleRss, 1, '< 40 MB');
if (wrkBin) {
  row('RSS peak MB under load (with children)', (r) => r.peakRss, 1, '< 120 MB');
  row('RSS after load MB', (r) => r.afterLoadRss, 1);
}
const cs = (xs) => summary(xs);
rows.push(['cold start ms: check examples/settings.yaml', fmt(cs(cold.whautoCheck), 1), 'n/a', '', '', '']);
rows.push(['cold start ms: --version / -version', fmt(cs(cold.whautoVersion), 1), webhookBin ? fmt(cs(cold.webhookVersion), 1) : 'n/a',
  webhookBin ? ratio(cs(cold.whautoVersion), cs(cold.webhookVersion)) : '', '', '']);

/** A Markdown table of `head` and `body` rows, columns padded. */
const mdTable = (head, body) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
};
const table = mdTable(['figure', 'whauto median (min–max)', 'adnanh/webhook median (min–max)', 'whauto ÷ webhook', 'whauto ÷ floor', 'target'], rows);
console.log(`\n${table}\n`);

let scaleTable = '';
if (!opt['no-scale'] && wrkBin) {
  console.log('bench: scale runs (whauto only)');
  scaleTable = mdTable(['figure', 'small', 'large', 'large ÷ small', 'target'], await scale({ whautoBin, wrkBin, body, good: GOOD, secret: SECRET, seconds: SECONDS, root }));
  console.log(`\n${scaleTable}\n`);
}

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
over the rounds. Ack latency is what the load generator saw. webhook runs the command once per
accepted delivery (thousands of processes under load); whauto coalesces waiting deliveries into
one run per entry, and answers 202 only once the delivery is on disk.

The floor rows run bench/reference-server.mjs in the same rounds: a bare node:http server that
only reads, verifies and parses each delivery and answers 202 (no disk, queue, runs or log); it
bounds what a Node receiver can reach on this machine. The durable floor does the same and
also keeps whauto's promise the cheapest way there is: one O_DSYNC write in place per group of
deliveries, the 202s after it. "Beside another writer": a process making, fsyncing and renaming
small files on the same filesystem meanwhile (bench/lib.mjs startWriter). The limit rows are
the disk's own latency for one 4 KB O_DSYNC write: no durable receiver answers a group faster.
whauto runs from a copy of dist/whauto, as installed.

${table}
${scaleTable ? `
## Scale: cost that does not grow with the past

whauto alone, one entry. "small" and "large" are the same figure with little and with much
behind it: 10 and 10,000 finished runs in the history (\`keep_runs: 20000\`); 0 and 20,000
deliveries already coalesced into the waiting run (its command held while they come); 25k and
100k deliveries accepted (RSS and heap from /metrics, after a garbage collection had the
chance: no growth beyond noise); \`check\` of 1 and 200 entries.

${scaleTable}
` : ''}`;
writeFileSync(opt.out, md);
console.log(`bench: written ${opt.out}`);
