// Readers of a daemon's state dir, for tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

/** The non-empty lines of `file` ([] while it does not exist). */
export function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Every run record of `entry`, oldest first. */
export function runRecords(stateDir: string, entry: string): any[] {
  const dir = join(stateDir, 'runs', entry);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
}

/** Waits until `entry` has at least `n` finished runs; returns them oldest first. */
export async function finishedRuns(stateDir: string, entry: string, n: number, timeoutMs = 30_000): Promise<any[]> {
  return waitFor(`${n} finished runs of ${entry}`, () => {
    const done = runRecords(stateDir, entry).filter((r) => r.result !== 'running');
    return done.length >= n ? done : null;
  }, timeoutMs);
}

