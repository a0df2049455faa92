// Readers of a daemon's state dir (run records and its folders), for tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

/** The non-empty lines of `file` ([] while it does not exist). */
export function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Names of the files in `<stateDir>/<sub>` ([] when missing), dot files left out, sorted. */
export function filesIn(stateDir: string, sub: string): string[] {
  const dir = join(stateDir, sub);
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).sort() : [];
}

/** Every run record of `entry` (`<stateDir>/runs/<entry>/*.json`), oldest first. */
export function runRecords(stateDir: string, entry: string): any[] {
  const dir = join(stateDir, 'runs', entry);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
}

/** Waits until `entry` has at least `n` finished runs (default timeout 30 s); returns them oldest first. */
export async function finishedRuns(stateDir: string, entry: string, n: number, timeoutMs = 30_000): Promise<any[]> {
  return waitFor(`${n} finished runs of ${entry}`, () => {
    const done = runRecords(stateDir, entry).filter((r) => r.result !== 'running');
    return done.length >= n ? done : null;
  }, timeoutMs);
}

/** Waits until run `id` of `entry` (as a 202 answer names it) has finished (default timeout 30 s); returns its record. */
export async function finishedRun(stateDir: string, entry: string, id: string, timeoutMs = 30_000): Promise<any> {
  return waitFor(`run ${id} of ${entry} to finish`, () => runRecords(stateDir, entry).find((r) => r.id === id && r.result !== 'running'), timeoutMs);
}
