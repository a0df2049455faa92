// Builds dist/whauto: the CLI bundled by esbuild into one CommonJS file, then wrapped
// into a Node single executable application (SEA) with postject. Also regenerates
// schema/settings.schema.json from the settings definition (src/settings/schema.ts).
//   node build.mjs [--node PATH] [--out FILE]
//     --node PATH  the Node binary to embed; it also makes the SEA blob (default: this one)
//     --out FILE   where the executable goes (default: dist/whauto); the intermediate files
//                  go beside it, so a build into a temp folder leaves dist/ alone
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { node: { type: 'string' }, out: { type: 'string' } } });
const nodeBinary = resolve(values.node ?? process.execPath);
const root = new URL('.', import.meta.url).pathname;
const out = resolve(values.out ?? join(root, 'dist/whauto'));
const outDir = dirname(out);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

await writeSchema();

mkdirSync(outDir, { recursive: true });
const bundle = join(outDir, `${basename(out)}.cjs`);
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

const blob = join(outDir, `${basename(out)}.blob`);
const seaConfig = join(outDir, `${basename(out)}.sea-config.json`);
writeFileSync(seaConfig, JSON.stringify({
  main: bundle,
  output: blob,
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
}));
// The blob must be made by the same Node that runs it (code cache, snapshot format).
execFileSync(nodeBinary, ['--experimental-sea-config', seaConfig], { stdio: 'pipe' });

// Inject into a temp copy and rename it into place: a running binary, or a test starting
// one mid-build, never sees a half-made file (plain node, or ETXTBSY while writing).
const tmp = `${out}.${process.pid}.tmp`;
copyFileSync(nodeBinary, tmp);
chmodSync(tmp, 0o755);
const postject = join(root, 'node_modules/postject/dist/cli.js');
execFileSync(process.execPath, [postject, tmp, 'NODE_SEA_BLOB', blob,
  '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'pipe'] });
renameSync(tmp, out);
rmSync(blob);
rmSync(seaConfig);

const size = statSync(out).size;
console.log(`built ${out} (${(size / 1048576).toFixed(1)} MiB, Node ${execFileSync(nodeBinary, ['--version']).toString().trim()})`);

/**
 * Writes schema/settings.schema.json from schemaText() (src/cli/schema.ts), bundled in memory
 * so that the file and `whauto schema` come from one formatter. Written only when it changed.
 */
async function writeSchema() {
  const result = await build({
    entryPoints: [join(root, 'src/cli/schema.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  const { schemaText } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  const file = join(root, 'schema/settings.schema.json');
  const text = schemaText();
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
