import { Script } from 'node:vm';

/** The name the CLI bundle's code runs under: stack traces and CPU profiles show it. */
const FILENAME = 'whauto.cjs';

/**
 * The CLI bundle (esbuild's CommonJS output, as text) compiled as a CommonJS module function.
 * `cachedData` is V8's code cache of an earlier compile of the same text by the same Node
 * (V8 version and flags); V8 checks that and compiles from the text when it does not fit
 * (`cachedDataRejected` is then true): a stale cache costs time, never correctness.
 */
export function bundleScript(source: string, cachedData?: Uint8Array): Script {
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: FILENAME,
    ...(cachedData ? { cachedData } : {}),
  });
}

/** Runs the compiled bundle; `load` is its `require` (it loads only Node's built-in modules). */
export function runBundle(script: Script, load: NodeJS.Require): void {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, load, module, FILENAME, '.');
}
