import { closeSync, existsSync, mkdirSync, openSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
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

/** Reads the record of run `id` of `entry` (null: missing, or corrupt: reported, and set aside unless `setAside: false`). */
export function readRun(stateDir: string, entry: string, id: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): RunRecord | null {
  return readJsonState<RunRecord>(stateDir, layout.runRecord(stateDir, entry, id), onCorrupt, { ...opts, check: checkRun(entry, id) });
}

/** The ids of the recorded runs of `entry`, newest first (ids sort by acceptance time), from the folder's names alone. */
export function runIds(stateDir: string, entry: string): string[] {
  return idsIn(runsFolder(stateDir, entry));
}

/** The names in `entry`'s runs folder ([] when there is none): one listing, which a folder of thousands of runs makes worth sharing. */
function runsFolder(stateDir: string, entry: string): string[] {
  try {
    return readdirSync(layout.runsDir(stateDir, entry));
  } catch {
    return [];
  }
}

/** The run ids of the records among `names`, newest first. */
const idsIn = (names: string[]): string[] =>
  names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -'.json'.length)).sort().reverse();

const newestFirst = (a: RunRecord, b: RunRecord): number => byCodeUnit(b.startedAt, a.startedAt) || byCodeUnit(b.id, a.id);

/**
 * The recorded runs of one entry, newest first (by start time, then id): every one. Corrupt or
 * wrongly shaped records are reported and set aside (left in place with `setAside: false`).
 */
export function listRuns(stateDir: string, entry: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): RunRecord[] {
  const out: RunRecord[] = [];
  for (const id of runIds(stateDir, entry)) {
    const r = readRun(stateDir, entry, id, onCorrupt, opts);
    if (r) out.push(r);
  }
  return out.sort(newestFirst);
}

/**
 * Marks run `id` of `entry` running: an empty file beside its record, made before the record's
 * first (durable) write, so that the folder fsync of that write keeps it too; removed once its
 * final record is on disk (unmarkRunning). Readers find running and cut-off runs by these
 * marks instead of reading every record. Throws on I/O errors.
 */
export function markRunning(stateDir: string, entry: string, id: string): void {
  // A state dir with no runs yet has no run without a mark.
  const fresh = !existsSync(layout.allRunsDir(stateDir));
  mkdirSync(layout.runsDir(stateDir, entry), { recursive: true });
  if (fresh) markAllScanned(stateDir);
  closeSync(openSync(layout.runMark(stateDir, entry, id), 'w', 0o600));
}

/** Removes run `id`'s running mark (a missing one is fine). */
export function unmarkRunning(stateDir: string, entry: string, id: string): void {
  try { unlinkSync(layout.runMark(stateDir, entry, id)); } catch { /* gone */ }
}

/** Whether every run that may say running in this state dir has its mark: written by a version that marks them, and scanned once since (markAllScanned). */
function marksComplete(stateDir: string): boolean {
  return existsSync(layout.runMarksComplete(stateDir));
}

/** Says that every run that may say running has its mark (after a scan of every record found the others). */
export function markAllScanned(stateDir: string): void {
  writeFileSync(layout.runMarksComplete(stateDir), 'runs recorded running have a <id>.running mark beside their record\n');
}

/**
 * The runs of `entry` whose records may say running: those with a running mark, or, in a state
 * dir from a version without marks (not yet scanned), every one. Ids only.
 */
export function maybeRunning(stateDir: string, entry: string): string[] {
  return maybeRunningIn(stateDir, runsFolder(stateDir, entry));
}

/** maybeRunning, from the runs folder's `names`. */
function maybeRunningIn(stateDir: string, names: string[]): string[] {
  if (!marksComplete(stateDir)) return idsIn(names);
  return names.filter((n) => n.endsWith('.running')).map((n) => n.slice(0, -'.running'.length)).sort().reverse();
}

/**
 * What `status` shows of one entry without reading every record: the runs whose records say
 * running (see maybeRunning), the newest `count` finished runs (newest first), and how many
 * finished runs there are (from the folder's names).
 */
export function recentRuns(stateDir: string, entry: string, count: number, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): { running: RunRecord[]; finished: RunRecord[]; finishedCount: number } {
  const names = runsFolder(stateDir, entry);
  const ids = idsIn(names);
  const running: RunRecord[] = [];
  const runningIds = new Set<string>();
  for (const id of maybeRunningIn(stateDir, names)) {
    const r = readRun(stateDir, entry, id, onCorrupt, opts);
    if (r?.result === 'running') {
      running.push(r);
      runningIds.add(id);
    }
  }
  const finished: RunRecord[] = [];
  for (const id of ids) {
    if (finished.length >= count) break;
    if (runningIds.has(id)) continue;
    const r = readRun(stateDir, entry, id, onCorrupt, opts);
    if (r && r.result !== 'running') finished.push(r);
  }
  return { running: running.sort(newestFirst), finished: finished.sort(newestFirst), finishedCount: ids.length - runningIds.size };
}

/** Records per runs folder as this process last listed it, plus the runs it added since: pruneRuns lists a folder only when that passes `keep`. */
const counted = new Map<string, number>();

/**
 * Removes the records, logs and payloads of the oldest runs of `entry` so that `keep` are
 * left; call once after each run. The folder is listed only when the count this process
 * keeps (listed once, then one more per run) passes `keep`, so a run costs no listing of
 * thousands of names when nothing is over; runs another process adds meanwhile (a `trigger`)
 * are found at the next listing. Runs are ordered by id (ids sort by acceptance time), so
 * only the records that go are read: one that says 'running' is left alone (its process may
 * be alive), one that is corrupt is set aside (through `onCorrupt`) and its log and payload
 * removed.
 */
export function pruneRuns(stateDir: string, entry: string, keep: number, onCorrupt: OnCorrupt): void {
  const dir = layout.runsDir(stateDir, entry);
  const known = counted.get(dir);
  if (known !== undefined && known + 1 <= keep) {
    counted.set(dir, known + 1);
    return;
  }
  const ids = runIds(stateDir, entry).reverse();
  let over = ids.length - keep;
  let left = ids.length;
  for (const id of ids) {
    if (over <= 0) break;
    const r = readRun(stateDir, entry, id, onCorrupt);
    if (r?.result === 'running') continue;
    over--;
    left--;
    for (const f of [layout.runRecord(stateDir, entry, id), layout.runLog(stateDir, entry, id), layout.runPayload(stateDir, entry, id), layout.runMark(stateDir, entry, id)]) {
      try { unlinkSync(f); } catch { /* already gone */ }
    }
  }
  counted.set(dir, left);
}
