// A quick look at the accepted path only (no table, no RESULTS.md): one daemon, wrk at 16
// and 64 connections, for finding where time goes while changing code.
//   node bench/quick.mjs [--tool whauto|webhook] [--seconds 4] [--connections 16,64] [--whauto BIN] [--profile DIR] [--keep-log FILE]
// --profile runs dist/whauto.cjs under `node --cpu-prof --cpu-prof-dir DIR` instead of the binary.
import { createHmac } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lines, quiesce, sleep, startDaemon, which, writeWebhookHooks, writeWhautoSettings, wrkLoad, wrkLua } from './lib.mjs';

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
  wrkLoad(wrk, 2, url, lua, sig, 16, true); // warm-up
  await quiesce(daemon.pid, out);
  for (const c of opt.connections.split(',').map(Number)) {
    const r = wrkLoad(wrk, Number(opt.seconds), url, lua, sig, c, true);
    const runsBefore = lines(out).length;
    await quiesce(daemon.pid, out);
    console.log(`${opt.tool} c=${c}: ${r.perSecond.toFixed(0)} accepted/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, non-2xx ${r.unexpected}, errors ${r.errors}, runs so far ${runsBefore}`);
  }
} finally {
  await daemon.stop();
  closeSync(logFd);
  if (opt['keep-log']) copyFileSync(join(dir, 'daemon.log'), opt['keep-log']);
  if (opt.profile) console.log('profiles:', readdirSync(resolve(opt.profile)).join(', '));
  rmSync(dir, { recursive: true, force: true });
}
