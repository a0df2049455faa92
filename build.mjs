// Builds dist/whauto: the CLI bundled by esbuild into one CommonJS file, then wrapped
// into a Node single executable application (SEA) with postject.
//   node build.mjs [--node PATH]   PATH: the Node binary to embed (default: this one)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { node: { type: 'string' } } });
const nodeBinary = resolve(values.node ?? process.execPath);
const root = new URL('.', import.meta.url).pathname;
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

mkdirSync(dist, { recursive: true });
const bundle = join(dist, 'whauto.cjs');
await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: bundle,
  define: { WHAUTO_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

const blob = join(dist, 'whauto.blob');
const seaConfig = join(dist, 'sea-config.json');
writeFileSync(seaConfig, JSON.stringify({
  main: bundle,
  output: blob,
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
}));
// The blob must be made by the same Node that runs it (code cache, snapshot format).
execFileSync(nodeBinary, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

const out = join(dist, 'whauto');
rmSync(out, { force: true });
copyFileSync(nodeBinary, out);
chmodSync(out, 0o755);
const postject = join(root, 'node_modules/postject/dist/cli.js');
execFileSync(process.execPath, [postject, out, 'NODE_SEA_BLOB', blob,
  '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'inherit'] });
rmSync(blob);
rmSync(seaConfig);

const size = statSync(out).size;
console.log(`built ${out} (${(size / 1048576).toFixed(1)} MiB, Node ${execFileSync(nodeBinary, ['--version']).toString().trim()})`);
