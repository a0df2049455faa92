import type { Logger } from '../log/logger.ts';
import type { RunRecord } from '../model/run-record.ts';
import { sameTarget, type Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { listRuns, saveRun } from '../state/runs.ts';
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
 * interrupted, and returns them, so the caller can resume them.
 */
export function recordCutOff(stateDir: string, entries: Entry[], logger: Logger): RunRecord[] {
  const cut: RunRecord[] = [];
  for (const entry of entries) {
    const runs = listRuns(stateDir, entry.name, (file, to, why) => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why }));
    for (const r of runs) {
      if (r.result !== 'running' || alive(r)) continue;
      const record: RunRecord = { ...r, result: 'interrupted', endedAt: new Date().toISOString(), step: null, message: `cut off: process ${r.pid} is gone` };
      try {
        saveRun(stateDir, record);
      } catch (err) {
        logger.error('cannot write run record', { entry: entry.name, run: r.id, error: (err as Error).message });
      }
      cut.push(record);
    }
  }
  return cut;
}

/**
 * When the run `id` of `entry` was cut off and deployed `target`, records it interrupted with
 * `message`: a run of that target starting now replaces it, and the next daemon start must
 * not resume it. Returns whether it did. Never throws (a record it cannot write stays for the
 * daemon to resume).
 */
function replaceCutOff(stateDir: string, entry: string, id: string, target: Target, message: string): boolean {
  const r = listRuns(stateDir, entry, () => undefined, { setAside: false }).find((x) => x.id === id);
  if (!r || r.result !== 'running' || alive(r) || !sameTarget(r.target, target)) return false;
  try {
    saveRun(stateDir, { ...r, result: 'interrupted', endedAt: new Date().toISOString(), step: null, message });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a run does first when it took the stale lock of `dead` (a run cut off): ends what that
 * run left running (endLeftovers), then, when it is a run of the same `entry` deploying the
 * same `target`, replaces it (`by` names the new run in the record's message: "run X",
 * "manual run X"). Resolves with how many processes were ended and whether it was replaced.
 * A lock without a run id (older versions, a daemon's own) ends and replaces nothing. Never
 * rejects.
 */
export async function takeOver(stateDir: string, dead: LockOwner, entry: string, target: Target, by: string): Promise<{ ended: number; replaced: boolean }> {
  if (!isRunId(dead.runId)) return { ended: 0, replaced: false };
  const ended = await endLeftovers(dead.runId);
  const replaced = dead.entry === entry &&
    replaceCutOff(stateDir, entry, dead.runId, target, `cut off: process ${dead.pid} is gone; ${by} deployed ${target.name} after it`);
  return { ended, replaced };
}
