import type { Logger } from '../log/logger.ts';
import type { RunRecord } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { listRuns, saveRun } from '../state/runs.ts';
import { processAlive } from '../exec/process-alive.ts';
import { endLeftovers } from '../runs/end-leftovers.ts';
import { isRunId } from '../model/run-id.ts';
import type { LockOwner } from './lock.ts';

/** A run recorded by this very pid (reused after a restart) is not alive either; nor one whose pid another process has now. */
function alive(r: RunRecord): boolean {
  return r.pid !== process.pid && processAlive(r.pid, r.identity);
}

/**
 * Finds runs recorded 'running' whose process is gone (a crash or SIGKILL cut them off),
 * records them 'interrupted', and returns them so the caller can run their entries again.
 */
export function recoverCutOff(stateDir: string, entries: Entry[], logger: Logger): RunRecord[] {
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
 * When the run `id` of `entry` was cut off (its record says running, its process is gone)
 * and deployed `target`, records it 'interrupted' with `message`: a run of that target that
 * starts now (a manual one) stands for it, and the next daemon start must not run it again.
 * Returns whether it did. Never throws (a record it cannot write stays for the daemon).
 */
export function coverCutOff(stateDir: string, entry: string, id: string, target: Target, message: string): boolean {
  const r = listRuns(stateDir, entry, () => undefined, { setAside: false }).find((x) => x.id === id);
  if (!r || r.result !== 'running' || alive(r) || r.target.kind !== target.kind || r.target.name !== target.name) return false;
  try {
    saveRun(stateDir, { ...r, result: 'interrupted', endedAt: new Date().toISOString(), step: null, message });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a run does first when it took over the stale lock of `dead` (a run cut off by a crash):
 * ends what that run left running (endLeftovers), then, when it is a run of the same `entry`
 * deploying the same `target`, records it covered by the run `by` (coverCutOff, `by` names the
 * new run in the message: "run X", "manual run X"). Resolves with how many processes were
 * ended and whether the cut-off run is covered. A lock without a run id (older versions, a
 * daemon's own) ends and covers nothing. Never rejects.
 */
export async function takeOverFrom(stateDir: string, dead: LockOwner, entry: string, target: Target, by: string): Promise<{ ended: number; covered: boolean }> {
  if (!isRunId(dead.runId)) return { ended: 0, covered: false };
  const ended = await endLeftovers(dead.runId);
  const covered = dead.entry === entry &&
    coverCutOff(stateDir, entry, dead.runId, target, `cut off: process ${dead.pid} is gone; ${by} deployed ${target.name} after it`);
  return { ended, covered };
}
