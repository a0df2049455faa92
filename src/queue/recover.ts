import type { Logger } from '../log/logger.ts';
import type { RunRecord } from '../model/run-record.ts';
import { sameTarget, type Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { markAllScanned, maybeRunning, readRun, saveRun, unmarkRunning } from '../state/runs.ts';
import { processAlive } from '../exec/process-alive.ts';
import { endLeftovers } from '../runs/end-leftovers.ts';
import { isRunId } from '../model/run-id.ts';
import type { LockOwner } from '../checkouts/lock.ts';

// The words of this file, one per idea: a run is *cut off* when its process dies (a crash,
// SIGKILL) while its record says running; it is *recorded interrupted*; the daemon *resumes*
// it (queues it again, trigger 'resumed'); a run that deploys its target after it *replaces*
// it (it is then not resumed); whoever next takes its checkout *takes over* its stale lock,
// ending what it left running first.

/** A run recorded by this very pid (reused after a restart) is not alive either; nor one whose pid another process has now. */
function alive(r: RunRecord): boolean {
  return r.pid !== process.pid && processAlive(r.pid, r.identity);
}

/**
 * Finds the runs of `entries` cut off (recorded 'running', their process gone), records each
 * interrupted, and returns them, so the caller can resume them. Reads only the records marked
 * running (see markRunning); `scanAll` (at daemon start) reads every record of a state dir
 * from a version without marks once, then says that every mark is there.
 */
export function recordCutOff(stateDir: string, entries: Entry[], logger: Logger, scanAll = false): RunRecord[] {
  const cut: RunRecord[] = [];
  const onCorrupt = (file: string, to: string | null, why: string): void => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why });
  for (const entry of entries) {
    for (const id of maybeRunning(stateDir, entry.name)) {
      const r = readRun(stateDir, entry.name, id, onCorrupt);
      if (r?.result === 'running' && alive(r)) continue;
      if (r?.result !== 'running') {
        unmarkRunning(stateDir, entry.name, id); // finished (the mark outlived a crash), or no record
        continue;
      }
      const record: RunRecord = { ...r, result: 'interrupted', endedAt: new Date().toISOString(), step: null, message: `cut off: process ${r.pid} is gone` };
      try {
        saveRun(stateDir, record);
        unmarkRunning(stateDir, entry.name, id);
      } catch (err) {
        logger.error('cannot write run record', { entry: entry.name, run: r.id, error: (err as Error).message });
      }
      cut.push(record);
    }
  }
  if (scanAll) {
    try { markAllScanned(stateDir); } catch { /* scanned again at the next start */ }
  }
  return cut;
}

/**
 * When the run `id` of `entry` was cut off and deployed `target`, records it interrupted with
 * `message`: a run of that target starting now replaces it, and the next daemon start must
 * not resume it. Returns the record it wrote, or null. Never throws (a record it cannot write stays for the
 * daemon to resume).
 */
function replaceCutOff(stateDir: string, entry: string, id: string, target: Target, message: string): RunRecord | null {
  const r = readRun(stateDir, entry, id, () => undefined, { setAside: false });
  if (!r || r.result !== 'running' || alive(r) || !sameTarget(r.target, target)) return null;
  try {
    const record: RunRecord = { ...r, result: 'interrupted', endedAt: new Date().toISOString(), step: null, message };
    saveRun(stateDir, record);
    unmarkRunning(stateDir, entry, id);
    return record;
  } catch {
    return null;
  }
}

/**
 * What a run does first when it took the stale lock of `dead` (a run cut off): ends what that
 * run left running (endLeftovers), then, when it is a run of the same `entry` deploying the
 * same `target`, replaces it (`by` names the new run in the record's message: "run X",
 * "manual run X"). Resolves with how many processes were ended and its interrupted record when it was replaced (else null), to be told like any run that ended.
 * A lock without a run id (older versions, a daemon's own) ends and replaces nothing. Never
 * rejects.
 */
export async function takeOver(stateDir: string, dead: LockOwner, entry: string, target: Target, by: string): Promise<{ ended: number; replaced: RunRecord | null }> {
  if (!isRunId(dead.runId)) return { ended: 0, replaced: null };
  const ended = await endLeftovers(dead.runId);
  const replaced = dead.entry === entry
    ? replaceCutOff(stateDir, entry, dead.runId, target, `cut off: process ${dead.pid} is gone; ${by} deployed ${target.name} after it`)
    : null;
  return { ended, replaced };
}
