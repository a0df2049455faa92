import type { Logger } from '../log/logger.ts';
import type { RunRecord } from '../model/run-record.ts';

/**
 * The daemon's `run finished` line of `record` (info when it succeeded, else a warning); for
 * a run another process ran (`outside`), its trigger and pid too. `commit` is where the checkout stood when the run ended (what HEAD is, the
 * live release); `target_commit`, said only when it differs, the commit the run set out to
 * deploy: a failed run's two differ, and status and notifications name the second.
 */
export function logRunFinished(logger: Logger, record: Readonly<RunRecord>, outside: { trigger: string; pid: number } | null = null): void {
  const ms = Date.parse(record.endedAt ?? '') - Date.parse(record.startedAt);
  const target = record.targetCommit ?? null;
  const fields = {
    entry: record.entry, run: record.id, trigger: outside?.trigger, result: record.result, commit: record.commit,
    target_commit: target !== null && target !== record.commit ? target : undefined,
    duration_ms: Number.isFinite(ms) ? ms : undefined, message: record.message ?? undefined, pid: outside?.pid,
  };
  if (record.result === 'succeeded') logger.info('run finished', fields);
  else logger.warn('run finished', fields);
}
