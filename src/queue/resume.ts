import type { Logger } from '../log/logger.ts';
import { whyNotDeployed } from '../model/deploys.ts';
import { newRunId } from '../model/run-id.ts';
import type { RunRecord } from '../model/run-record.ts';
import type { Entry } from '../settings/types.ts';
import { layout } from '../state/layout.ts';
import { dropPending, listPending, type PendingRun } from '../state/pending.ts';
import { readRegularFile } from '../state/read-json.ts';
import type { GroupWrites, WaitingRun } from './group-write.ts';

/** What reading back and resuming need of the queue. */
export interface Requeue {
  stateDir: string;
  logger: Logger;
  waiting: Map<string, WaitingRun>;
  writes: GroupWrites;
  /** The entry as the current settings say (null: not there). */
  entry: (name: string) => Entry | null;
}

/** Why the current settings would not run `run` (its entry gone, or see whyNotDeployed), else null. */
export function whyNotRun(entry: Entry | null, run: PendingRun): string | null {
  if (!entry) return `entry '${run.entry}' is no longer in the settings`;
  return whyNotDeployed(entry, run.target.kind, run.target.name);
}

/**
 * Reads back into `q.waiting` the runs the state dir says were accepted and not started (at
 * start, before serving), dropping those the settings no longer deploy.
 */
export function readBack(q: Requeue): void {
  const { stateDir, logger } = q;
  const onCorrupt = (file: string, to: string | null, why: string): void => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why });
  for (const { payload, ...p } of listPending(stateDir, onCorrupt)) {
    const why = whyNotRun(q.entry(p.entry), p);
    if (why) {
      logger.warn('waiting run dropped: the settings no longer deploy it', { entry: p.entry, run: p.id, ref: p.target.name, why });
      dropPending(stateDir, p.entry);
      continue;
    }
    q.waiting.set(p.entry, { run: p, deliveriesJson: JSON.stringify(p.deliveries).slice(1, -1), payload, dirty: false, onDisk: true, promised: [] });
    logger.info('waiting run read back', { entry: p.entry, run: p.id, deliveries: p.deliveries.length });
  }
}

/**
 * Resumes the run `cut` that was cut off (already recorded interrupted): the entry's waiting
 * run replaces it when there is one (it deploys the newest tip), else a new run with trigger
 * 'resumed' and its deliveries and payload. Written by the group writes like any accepted run
 * (in order with the writes of the waiting run, if one is on its way).
 */
export function resume(q: Requeue, cut: RunRecord): void {
  const { stateDir, logger } = q;
  const entry = q.entry(cut.entry);
  if (!entry) return;
  const why = whyNotDeployed(entry, cut.target.kind, cut.target.name);
  if (why) {
    logger.warn('cut-off run not resumed: the settings no longer deploy it', { entry: entry.name, cut_off: cut.id, ref: cut.target.name, why });
    return;
  }
  const waiting = q.waiting.get(cut.entry);
  if (waiting) {
    // In place: the waiting run may have accepts whose 202 waits for its next write.
    const known = new Set(waiting.run.deliveries.map((d) => JSON.stringify(d)));
    waiting.run.deliveries = [...cut.deliveries.filter((d) => !known.has(JSON.stringify(d))), ...waiting.run.deliveries];
    waiting.deliveriesJson = JSON.stringify(waiting.run.deliveries).slice(1, -1);
    waiting.dirty = true;
    q.writes.schedule();
    logger.info('cut-off run replaced by the waiting run', { entry: entry.name, run: waiting.run.id, cut_off: cut.id });
    return;
  }
  const run: PendingRun = {
    id: newRunId(), entry: entry.name, trigger: 'resumed', target: cut.target, deliveries: cut.deliveries,
    acceptedAt: new Date().toISOString(),
  };
  // The resumed run gets the cut-off run's payload (WHAUTO_PAYLOAD) when it is still there.
  let payload: Buffer | null = null;
  try { payload = readRegularFile(layout.runPayload(stateDir, entry.name, cut.id)); } catch { /* none */ }
  q.waiting.set(entry.name, { run, deliveriesJson: JSON.stringify(run.deliveries).slice(1, -1), payload, dirty: true, onDisk: false, promised: [] });
  q.writes.schedule();
  logger.info('cut-off run resumed', { entry: entry.name, run: run.id, cut_off: cut.id });
}
