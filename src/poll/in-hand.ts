import { sameTarget, type Target } from '../model/target.ts';
import type { RunRecord } from '../model/run-record.ts';
import type { Change } from './changes.ts';

/** A run that already has a change in hand: it deployed it, is deploying it, or waits to. */
interface InHand {
  by: 'deployed' | 'running' | 'waiting';
  run: string;
}

/** What of an entry's runs a poll looks at. */
export interface EntryRuns {
  /** The daemon's waiting run of the entry and `whauto trigger`s waiting to run it: each deploys the tip its git step finds. */
  waiting: Array<{ id: string; target: Target }>;
  /** The entry's run records, newest first. */
  records: RunRecord[];
  /** Whether a running record's process is alive (a dead one's run was cut off). */
  alive: (r: RunRecord) => boolean;
  /** Runs the daemon runs now whose first record may not be written yet. */
  running: string[];
}

/**
 * Whether a run already has `change` in hand, so a poll that found it does nothing: a waiting
 * run of its target (it fetches later, so it finds this commit or a newer one), a running run
 * of its target that checked out this commit or was delivered it, or the newest finished run of
 * its target that deployed it. 'unsure': a run of its target runs and has not yet said which
 * commit it deploys (the next poll looks again). null: none has; the poll queues a run.
 */
export function inHand(change: Change, runs: EntryRuns): InHand | 'unsure' | null {
  const waiting = runs.waiting.find((w) => sameTarget(w.target, change.target));
  if (waiting) return { by: 'waiting', run: waiting.id };
  if (runs.running.some((id) => !runs.records.some((r) => r.id === id))) return 'unsure';
  const mine = runs.records.filter((r) => sameTarget(r.target, change.target));
  for (const r of mine.filter((x) => x.result === 'running' && runs.alive(x))) {
    if (r.commit === change.commit || r.deliveries.some((d) => d.after === change.commit)) return { by: 'running', run: r.id };
    if (r.commit === null) return 'unsure';
  }
  const last = mine.find((r) => r.result !== 'running' && r.commit !== null);
  return last?.commit === change.commit ? { by: 'deployed', run: last.id } : null;
}
