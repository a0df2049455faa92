// Helpers of the benchmark: processes, RSS of a process tree, HTTP, waiting, statistics.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

/** The full path of `name` on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Wall clock in ms with sub-ms precision (comparable with `date +%s%N`). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** Polls `fn` every `everyMs` until it returns a truthy value; null after `timeoutMs`. */
export async function waitFor(fn, timeoutMs, everyMs = 20) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(everyMs);
  }
}

/** pid → parent pid for every process now. */
function parents() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      out.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  return out;
}

/** The pids of every descendant of `pid` (not `pid` itself). */
export function descendants(pid) {
  const ppid = parents();
  const found = [];
  let frontier = [pid];
  while (frontier.length) {
    const next = [];
    for (const [p, pp] of ppid) if (frontier.includes(pp)) next.push(p);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of `pid` and all its descendants, in MB. */
export function treeRssMb(pid) {
  let kb = rssKb(pid);
  for (const c of descendants(pid)) kb += rssKb(c);
  return kb / 1024;
}

/** Samples treeRssMb(pid) every `everyMs` until stop() is called; stop() resolves with the peak (MB). */
export function rssSampler(pid, everyMs = 100) {
  let peak = treeRssMb(pid);
  const t = setInterval(() => { peak = Math.max(peak, treeRssMb(pid)); }, everyMs);
  return { stop: () => { clearInterval(t); return Math.max(peak, treeRssMb(pid)); } };
}

/** Starts a daemon with stdout and stderr into `logFd`; resolves once `port` accepts connections. */
export async function startDaemon(cmd, args, { cwd, logFd, port, env = process.env }) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', logFd, logFd] });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const up = await waitFor(() => {
    if (exited) return 'exited';
    return new Promise((res) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); res('up'); });
      s.on('error', () => res(null));
    });
  }, 20_000, 25);
  if (up !== 'up') {
    child.kill('SIGKILL');
    throw new Error(`${cmd} did not start listening on ${port} (${up === 'exited' ? `exited ${JSON.stringify(exited)}` : 'timeout'})`);
  }
  return {
    pid: child.pid,
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** One POST; resolves { status, ms (answer time, wall clock), body }. */
export function post(url, headers, body, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, ms: nowMs(), body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Lines of `file` ([] while it does not exist). */
export function lines(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Waits until the daemon `pid` has no child processes and `file` has stopped growing for
 * `quietMs`; gives up after `timeoutMs`. Resolves true when quiet.
 */
export async function quiesce(pid, file, { quietMs = 400, timeoutMs = 60_000 } = {}) {
  let last = -1;
  let since = Date.now();
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const n = lines(file).length;
    const busy = descendants(pid).length > 0;
    if (n !== last || busy) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return true;
    }
    await sleep(50);
  }
  return false;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** median, min, max of a list of numbers (nulls dropped); null when empty. */
export function summary(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return v.length ? { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length } : null;
}

/** Machine facts for the results file. */
export function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const cores = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  let kernel = '';
  try { kernel = execFileSync('uname', ['-sr']).toString().trim(); } catch { /* none */ }
  return { cpu, cores, memGb: (memKb / 1048576).toFixed(1), node: process.version, kernel };
}

/** Writes a wrk Lua script posting `body` as a GitHub push, signed with $BENCH_SIG; prints a RESULT line. */
export function wrkLua(dir, body) {
  const lua = join(dir, 'post.lua');
  writeFileSync(join(dir, 'body.json'), body);
  writeFileSync(lua, `
local f = io.open("${join(dir, 'body.json')}", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "push"
wrk.headers["X-GitHub-Delivery"] = "ee8d97b4-1479-43f1-9cac-fbbd1b80da55"
wrk.headers["X-Hub-Signature-256"] = os.getenv("BENCH_SIG")
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`);
  return lua;
}

/** wrk for `seconds` at `connections`; deliveries answered as expected per second and latency (ms). */
export function wrkLoad(wrkBin, seconds, url, lua, sig, connections, expectOk) {
  const r = spawnSync(wrkBin, ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', lua, url], {
    env: { ...process.env, BENCH_SIG: sig }, encoding: 'utf8',
  });
  const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk gave no result: ${r.stdout} ${r.stderr}`);
  const [requests, durUs, non2xx, errors, p50, p99] = m.slice(1).map(Number);
  const good = expectOk ? requests - non2xx : non2xx;
  return { perSecond: good / (durUs / 1e6), p50: p50 / 1000, p99: p99 / 1000, errors, unexpected: requests - good };
}

/**
 * The benchmark job for whauto: one GitHub entry with `secret`, branch master, `update: none`
 * (no git in the hot path), running `script`. Returns the settings file's path.
 */
export function writeWhautoSettings(dir, port, script, secret) {
  const settings = join(dir, 'settings.yaml');
  writeFileSync(settings, [
    `listen: 127.0.0.1:${port}`, `state_dir: ${join(dir, 'state')}`, 'entries:', '  deploy:',
    '    provider: github', `    secret: ${secret}`, '    repo: Codertocat/Hello-World', '    branch: master',
    '    update: none', `    workdir: ${dir}`, `    commands: [[${script}]]`, '',
  ].join('\n'), { mode: 0o600 });
  return settings;
}

/**
 * The same job for adnanh/webhook: hooks.json with an HMAC-SHA256 rule on X-Hub-Signature-256
 * and a value rule on ref (refs/heads/master); 403 on a mismatch, like whauto. Returns its path.
 */
export function writeWebhookHooks(dir, script, secret) {
  const hooks = join(dir, 'hooks.json');
  writeFileSync(hooks, JSON.stringify([{
    id: 'deploy', 'execute-command': script, 'command-working-directory': dir, 'response-message': 'queued',
    'trigger-rule-mismatch-http-response-code': 403,
    'trigger-rule': { and: [
      { match: { type: 'payload-hmac-sha256', secret, parameter: { source: 'header', name: 'X-Hub-Signature-256' } } },
      { match: { type: 'value', value: 'refs/heads/master', parameter: { source: 'payload', name: 'ref' } } },
    ] },
  }], null, 1));
  return hooks;
}

/**
 * The disk's own sync-write latency where `dir` lives: ms per 4 KB O_DSYNC write, `n` times,
 * in place into a file made beforehand (what whauto's journal does: data only) and appended to
 * a growing file (each write also changes the file's size: a filesystem journal commit). The
 * medians; the limit no durable receiver can pass one group per write.
 */
export function diskSyncLatency(dir, n = 400) {
  const buf = Buffer.alloc(4096, 1);
  const time = (file, flags, positioned) => {
    const fd = openSync(file, flags);
    const ms = [];
    try {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        writeSync(fd, buf, 0, buf.length, positioned ? i * buf.length : null);
        ms.push(performance.now() - t);
      }
    } finally {
      closeSync(fd);
    }
    return median(ms);
  };
  const inPlace = join(dir, 'disk-in-place');
  writeFileSync(inPlace, Buffer.alloc(n * 4096));
  const fd = openSync(inPlace, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  const append = join(dir, 'disk-append');
  const r = {
    inPlaceMs: time(inPlace, constants.O_RDWR | constants.O_DSYNC, true),
    appendMs: time(append, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC, false),
  };
  rmSync(inPlace, { force: true });
  rmSync(append, { force: true });
  return r;
}

/**
 * Another writer on the same filesystem as `dir`, as a busy server has: a process that makes,
 * fsyncs, renames and removes small files in a loop (filesystem journal work, as a mail spool
 * or a database checkpoint does), until stop(). Bounded: it stops by itself after `maxSeconds`.
 */
export function startWriter(dir, maxSeconds = 300) {
  const script = `
    const fs = require('node:fs'); const path = require('node:path');
    const dir = ${JSON.stringify(dir)}; const end = Date.now() + ${maxSeconds * 1000};
    const buf = Buffer.alloc(4096, 7); let i = 0;
    while (Date.now() < end) {
      const tmp = path.join(dir, 'w' + (i % 64) + '.tmp'); const to = path.join(dir, 'w' + (i++ % 64));
      const fd = fs.openSync(tmp, 'w'); fs.writeSync(fd, buf); fs.fsyncSync(fd); fs.closeSync(fd);
      fs.renameSync(tmp, to);
      if (i % 8 === 0) { const d = fs.openSync(dir, 'r'); fs.fsyncSync(d); fs.closeSync(d); }
    }`;
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return { stop: () => new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', r); child.kill('SIGKILL'); }) };
}
