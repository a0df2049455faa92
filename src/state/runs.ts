import { readdirSync, unlinkSync } from 'node:fs';
import type { RunRecord } from '../runs/types.ts';
import { writeFileAtomic } from './atomic.ts';
import { writeFilesAtomic } from './atomic-async.ts';
import { layout } from './layout.ts';
import { readJsonState, type OnCorrupt } from './read-json.ts';
import { checkRun } from './shape.ts';

/** Writes a run's record (atomically) into `runs/<entry>/<id>.json`. Throws on I/O errors. */
export function saveRun(stateDir: string, record: RunRecord): void {
  writeFileAtomic(layout.runRecord(stateDir, record.entry, record.id), JSON.stringify(record, null, 1));
}

/** saveRun off the main thread: `record` is serialized at once; resolves when durable. Rejects on I/O errors. */
export function saveRunAsync(stateDir: string, record: RunRecord): Promise<void> {
  return writeFilesAtomic([[layout.runRecord(stateDir, record.entry, record.id), JSON.stringify(record, null, 1)]]);
}

/**
 * The recorded runs of one entry, newest first (by start time, then id). Corrupt or wrongly
 * shaped records are reported and set aside (left in place with `setAside: false`).
 */
export function listRuns(stateDir: string, entry: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(layout.runsDir(stateDir, entry));
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
    const id = name.slice(0, -'.json'.length);
    const r = readJsonState<RunRecord>(stateDir, `${layout.runsDir(stateDir, entry)}/${name}`, onCorrupt, { ...opts, check: checkRun(entry, id) });
    if (r) out.push(r);
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
}

/** Entry names that have a runs folder. */
export function entriesWithRuns(stateDir: string): string[] {
  try {
    return readdirSync(layout.allRunsDir(stateDir));
  } catch {
    return [];
  }
}

/** Removes the records, logs and payloads of all but the newest `keep` finished runs of `entry`. */
export function pruneRuns(stateDir: string, entry: string, keep: number, onCorrupt: OnCorrupt): void {
  const finished = listRuns(stateDir, entry, onCorrupt).filter((r) => r.result !== 'running');
  for (const r of finished.slice(keep)) {
    for (const f of [layout.runRecord(stateDir, entry, r.id), layout.runLog(stateDir, entry, r.id), layout.runPayload(stateDir, entry, r.id)]) {
      try { unlinkSync(f); } catch { /* already gone */ }
    }
  }
}
