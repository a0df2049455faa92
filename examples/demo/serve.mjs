// Serves the demo (`npm run demo`): runs `whauto serve settings.yaml`, which listens on a free
// port of 127.0.0.1, shows its log, and writes the webhook URL of its 'listening' line to
// work/url, where push.mjs finds it. The file goes when the daemon stops.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;
const urlFile = join(here, 'work', 'url');
// WHAUTO: another build of whauto (the tests use it); by default the one `npm run demo` builds.
const whauto = process.env.WHAUTO ?? join(here, '..', '..', 'dist', 'whauto');
rmSync(urlFile, { force: true });
const daemon = spawn(whauto, ['serve', join(here, 'settings.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
daemon.on('error', (err) => {
  console.error(`demo: cannot start ${whauto}: ${err.message} (npm run demo builds it)`);
  process.exit(1);
});
createInterface({ input: daemon.stdout }).on('line', (line) => {
  console.log(line);
  const url = /\blistening\b.* url=(http:\/\/\S+)/.exec(line)?.[1];
  if (url === undefined) return;
  writeFileSync(urlFile, `${url}\n`);
  console.log(`demo: whauto takes deliveries at ${url}/demo; now, in another terminal: node examples/demo/push.mjs`);
});
// Ctrl-C in this terminal reaches the daemon too, which then lets its run finish: wait for it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => daemon.kill('SIGTERM'));
daemon.on('exit', (code, signal) => {
  rmSync(urlFile, { force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
