import { readdirSync, unlinkSync } from 'node:fs';
import type { RunRecord } from '../model/run-record.ts';
import { writeFileAtomic } from './atomic.ts';
import type { FileWrite } from './atomic-async.ts';
import { layout } from './layout.ts';
import { readJsonState, type OnCorrupt } from './read-json.ts';
import { checkRun } from './shape.ts';
import { byCodeUnit } from './order.ts';

/** Writes a run's record (atomically, durably, synchronously) into `runs/<entry>/<id>.json`. Throws on I/O errors. */
export function saveRun(stateDir: string, record: RunRecord): void {
  writeFileAtomic(layout.runRecord(stateDir, record.entry, record.id), JSON.stringify(record));
}

/** The write of a run's record for the state writer; `record` is serialized at once. */
export function runRecordWrite(stateDir: string, record: RunRecord, durable: boolean): FileWrite {
  return { file: layout.runRecord(stateDir, record.entry, record.id), data: JSON.stringify(record), durable };
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
  return out.sort((a, b) => byCodeUnit(b.startedAt, a.startedAt) || byCodeUnit(b.id, a.id));
}

/**
 * Removes the records, logs and payloads of the oldest runs of `entry` so that `keep` are
 * left. Runs are ordered by id (ids sort by acceptance time), so only the records that go
 * are read: one that says 'running' is left alone (its process may be alive), one that is
 * corrupt is set aside (through `onCorrupt`) and its log and payload removed.
 */
export function pruneRuns(stateDir: string, entry: string, keep: number, onCorrupt: OnCorrupt): void {
  const dir = layout.runsDir(stateDir, entry);
  const ids = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -'.json'.length)).sort();
  let over = ids.length - keep;
  for (const id of ids) {
    if (over <= 0) break;
    const r = readJsonState<RunRecord>(stateDir, layout.runRecord(stateDir, entry, id), onCorrupt, { check: checkRun(entry, id) });
    if (r?.result === 'running') continue;
    over--;
    for (const f of [layout.runRecord(stateDir, entry, id), layout.runLog(stateDir, entry, id), layout.runPayload(stateDir, entry, id)]) {
      try { unlinkSync(f); } catch { /* already gone */ }
    }
  }
}
