// Build step (build.mjs): runs the CLI bundle with a command line under the Node that the
// executable embeds, then writes V8's code cache of the bundle, which by then holds every
// function that command compiled.
//   node warm.cjs BUNDLE CACHE-OUT [whauto arguments...]
import { readFileSync, writeFileSync } from 'node:fs';
import { bundleScript, runBundle } from './bundle-script.ts';

const [bundle, cacheOut, ...args] = process.argv.slice(2);
if (bundle === undefined || cacheOut === undefined) throw new Error('usage: warm.cjs BUNDLE CACHE-OUT [whauto arguments...]');
// The bundle reads its arguments from process.argv[2...], as in the executable.
process.argv.splice(2, Infinity, ...args);
const script = bundleScript(readFileSync(bundle, 'utf8'));
process.on('exit', () => writeFileSync(cacheOut, script.createCachedData()));
runBundle(script, require);
