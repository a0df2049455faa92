import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { layout } from './layout.ts';

/**
 * Reads a JSON state file. A file that does not parse (a crash mid-write on a filesystem
 * without atomic rename, a hand edit) is moved to `<stateDir>/corrupt/` and reported through
 * `onCorrupt`; the caller gets null, never an exception. A missing file gives null silently.
 */
export function readJsonState<T>(stateDir: string, file: string, onCorrupt: (file: string, movedTo: string, why: string) => void): T | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as T;
  } catch (err) {
    const dir = layout.corruptDir(stateDir);
    const to = join(dir, `${Date.now()}-${basename(file)}`);
    try {
      mkdirSync(dir, { recursive: true });
      renameSync(file, to);
    } catch { /* read-only: report only */ }
    onCorrupt(file, to, err instanceof Error ? err.message : String(err));
    return null;
  }
}
