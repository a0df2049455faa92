// A quick look at the accepted path only (no table, no RESULTS.md): one daemon, wrk at 16
// and 64 connections, for finding where time goes while changing code.
//   node bench/quick.mjs [--tool whauto|webhook] [--seconds 4] [--connections 16,64] [--whauto BIN] [--profile DIR] [--keep-log FILE]
// --profile runs dist/whauto.cjs under `node --cpu-prof --cpu-prof-dir DIR` instead of the binary.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lines, quiesce, sleep, startDaemon, which } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    tool: { type: 'string', default: 'whauto' },
    seconds: { type: 'string', default: '4' },
    profile: { type: 'string' },
    connections: { type: 'string', default: '16,64' },
    whauto: { type: 'string', default: join(root, 'dist/whauto') },
    'keep-log': { type: 'string' },
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
const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
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
  writeFileSync(join(dir, 'hooks.json'), JSON.stringify([{
    id: 'deploy', 'execute-command': script, 'command-working-directory': dir,
    'trigger-rule': { and: [
      { match: { type: 'payload-hmac-sha256', secret: SECRET, parameter: { source: 'header', name: 'X-Hub-Signature-256' } } },
      { match: { type: 'value', value: 'refs/heads/master', parameter: { source: 'payload', name: 'ref' } } },
    ] },
  }]));
  daemon = await startDaemon(which('webhook'), ['-hooks', join(dir, 'hooks.json'), '-ip', '127.0.0.1', '-port', String(port)], { cwd: dir, logFd, port });
  url = `http://127.0.0.1:${port}/hooks/deploy`;
} else {
  const settings = join(dir, 'settings.yaml');
  writeFileSync(settings, [
    `listen: 127.0.0.1:${port}`, `state_dir: ${join(dir, 'state')}`, 'entries:', '  deploy:',
    '    provider: github', `    secret: ${SECRET}`, '    repo: Codertocat/Hello-World', '    branch: master',
    '    update: none', `    workdir: ${dir}`, `    commands: [[${script}]]`, '',
  ].join('\n'), { mode: 0o600 });
  const [cmd, args] = opt.profile
    ? [process.execPath, ['--cpu-prof', '--cpu-prof-dir', resolve(opt.profile), join(root, 'dist/whauto.cjs'), 'serve', settings]]
    : [resolve(opt.whauto), ['serve', settings]];
  daemon = await startDaemon(cmd, args, { cwd: dir, logFd, port });
  url = `http://127.0.0.1:${port}/webhook/deploy`;
}
writeFileSync(join(dir, 'body.json'), body);
const lua = join(dir, 'post.lua');
writeFileSync(lua, `
local f = io.open("${join(dir, 'body.json')}", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "push"
wrk.headers["X-GitHub-Delivery"] = "ee8d97b4-1479-43f1-9cac-fbbd1b80da55"
wrk.headers["X-Hub-Signature-256"] = "${sig}"
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
`);
try {
  await sleep(500);
  spawnSync(wrk, ['-t2', '-c16', '-d2s', '-s', lua, url]); // warm-up
  await quiesce(daemon.pid, out);
  for (const c of opt.connections.split(',').map(Number)) {
    const r = spawnSync(wrk, ['-t2', `-c${c}`, `-d${opt.seconds}s`, '--timeout', '10s', '-s', lua, url], { encoding: 'utf8' });
    const [n, us, non2xx, errors, p50, p99] = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(r.stdout).slice(1).map(Number);
    const runsBefore = lines(out).length;
    await quiesce(daemon.pid, out);
    console.log(`${opt.tool} c=${c}: ${((n - non2xx) / (us / 1e6)).toFixed(0)} accepted/s, p50 ${(p50 / 1000).toFixed(2)} ms, p99 ${(p99 / 1000).toFixed(2)} ms, non-2xx ${non2xx}, errors ${errors}, runs so far ${runsBefore}`);
  }
} finally {
  await daemon.stop();
  closeSync(logFd);
  if (opt['keep-log']) copyFileSync(join(dir, 'daemon.log'), opt['keep-log']);
  if (opt.profile) console.log('profiles:', readdirSync(resolve(opt.profile)).join(', '));
  rmSync(dir, { recursive: true, force: true });
}
