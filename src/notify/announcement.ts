import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { defaultBranch } from '../model/deploys.ts';
import type { NotifyEvent } from '../model/names.ts';
import type { DeliveryRef, RunRecord } from '../model/run-record.ts';
import { targetRef } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { commitSubject } from './git-look.ts';
import { logTail } from './log-tail.ts';
import type { Announcement } from './types.ts';

/** The event a finished run is: its result, or 'rolled back' for a rollback that succeeded. */
export function finishedEvent(record: Pick<RunRecord, 'trigger' | 'result'>): NotifyEvent {
  if (record.result === 'running') throw new Error('a running run has not finished');
  return record.trigger === 'rollback' && record.result === 'succeeded' ? 'rolled back' : record.result;
}

/** The newest delivery of a run, or null (a manual run). */
export function newestDelivery(record: Pick<RunRecord, 'deliveries'>): DeliveryRef | null {
  return record.deliveries.at(-1) ?? null;
}

/** A commit id a forge sent, unless it is the all-zero "no commit". */
const realCommit = (id: string | null | undefined): string | null => (id && !/^0+$/.test(id) ? id : null);

/** The commit a run deploys (or failed to): the one its git step set out for, else what is deployed after it, else the newest delivery's. */
export function runCommit(record: Pick<RunRecord, 'commit' | 'targetCommit' | 'deliveries'>): string | null {
  return record.targetCommit ?? record.commit ?? realCommit(newestDelivery(record)?.after);
}

/**
 * What to say about `record` (of `entry`) for `event`. Reads the record at once (it may be
 * the live one, changing after), then looks up the commit's subject in the checkout and, for
 * a run that did not succeed, the tail of its log.
 */
export async function announcement(entry: Entry, record: Readonly<RunRecord>, event: NotifyEvent): Promise<Announcement> {
  const newest = newestDelivery(record);
  const ended = record.endedAt === null ? NaN : Date.parse(record.endedAt) - Date.parse(record.startedAt);
  const failed = record.result !== 'running' && record.result !== 'succeeded';
  const step = failed ? record.steps.find((s) => !s.ok) : undefined;
  const commit = runCommit(record);
  const a: Announcement = {
    event, entry: entry.name, result: record.result, trigger: record.trigger,
    ref: targetRef(record.target), target: record.target.name,
    commit, previous: record.previous ?? realCommit(newest?.before), subject: null,
    pusher: newest?.pusher ?? null, repository: newest?.repository ?? entry.repo,
    startedAt: record.startedAt, finishedAt: record.endedAt, durationMs: Number.isFinite(ended) ? ended : null,
    failedStep: step ? `${step.kind}: ${step.name}` : null, message: record.message,
    host: hostname(), runId: record.id, logTail: null,
  };
  if (failed) a.logTail = logTail(record.logFile);
  if (commit !== null) a.subject = await commitSubject(entry, commit);
  return a;
}

/**
 * What `whauto notify --test` says: a test of `entry`'s setup, no run behind it (run id
 * `test-…`), about `commit` when one is given (a test status goes on it).
 */
export async function testAnnouncement(entry: Entry, commit: string | null): Promise<Announcement> {
  const now = new Date().toISOString();
  const branch = defaultBranch(entry) ?? entry.branches[0] ?? 'main';
  return {
    event: 'test', entry: entry.name, result: 'running', trigger: 'manual', ref: targetRef({ kind: 'branch', name: branch }), target: branch,
    commit, previous: null, subject: commit === null ? null : await commitSubject(entry, commit), pusher: null, repository: entry.repo,
    startedAt: now, finishedAt: null, durationMs: null, failedStep: null, message: null,
    host: hostname(), runId: `test-${randomUUID().slice(0, 8)}`, logTail: null,
  };
}
