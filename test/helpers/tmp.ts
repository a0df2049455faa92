// Temp folders for tests.
import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
let hooked = false;

/**
 * A fresh temp folder (its real path, as git and whauto print it), removed by the returned
 * cleanup (call it in `after` or `finally`) or, at the latest, when the test process exits.
 */
export function tempDir(prefix = 'whauto-test-'): { dir: string; cleanup: () => void } {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
  }
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.add(dir);
  return { dir, cleanup: () => { rmSync(dir, { recursive: true, force: true }); made.delete(dir); } };
}

/** Writes `text` to `dir/name` with `mode` (default 0600: a secret in it raises no warning); returns the path. */
export function writeFile(dir: string, name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}
