// Entry of the single executable (build.mjs makes it). The CLI bundle and V8's code cache for
// it are assets of the executable. The cache was made by the same Node after a run of `check`
// at build time (warm.ts), so it holds the compiled YAML parser and settings validator as
// well, not only the top level that Node's own `useCodeCache` would hold: commands that read
// the settings start ~20 ms sooner, and none compiles the bundle from its text.
import { getAsset } from 'node:sea';
import { bundleScript, runBundle } from './bundle-script.ts';

runBundle(bundleScript(getAsset('whauto.cjs', 'utf8'), new Uint8Array(getAsset('whauto.cache'))), require);
