import type { RunResult, StepKind, Trigger } from './names.ts';
import type { Target } from './target.ts';

/**
 * How many deliveries a run keeps whole: its newest. It counts them all (deliveryCount), so
 * that its record stays the same size however many deliveries were coalesced into it.
 */
export const KEEP_DELIVERIES = 10;

/** One delivery a run stands for (several when deliveries were coalesced). */
export interface DeliveryRef {
  forge: string;
  event: string;
  deliveryId: string | null;
  ref: string;
  before: string | null;
  after: string | null;
  pusher: string | null;
  repository: string | null;
  /**
   * A clone URL the delivery names (https first), where a commit status API is found; absent
   * in records written before it was kept. May hold no credentials (a forge's payload).
   */
  repositoryUrl?: string | null;
  /** ISO time the delivery was accepted. */
  receivedAt: string;
}

export interface StepRecord {
  kind: StepKind;
  /** What ran: the command as written, or the git step's name. */
  name: string;
  /** Exit code; null when killed by a signal or not started. */
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  ok: boolean;
}

/** The record of a finished (or running) run, as kept in the state dir. */
export interface RunRecord {
  id: string;
  entry: string;
  trigger: Trigger;
  target: Target;
  /** The newest deliveries the run stands for (at most KEEP_DELIVERIES), oldest first. */
  deliveries: DeliveryRef[];
  /** How many deliveries it stands for; absent in records of versions before 0.2 (then deliveries.length). */
  deliveryCount?: number;
  /**
   * What was deployed before the run (HEAD; the live release's commit) and after it (null
   * when unknown). A rollback: the commit it left, and the one it went back to.
   */
  previous: string | null;
  commit: string | null;
  /**
   * The commit the run set out to deploy, once its git step knew it (the target's tip; a
   * rollback's commit): the one a failed run failed on, also where `commit` stays at what
   * was deployed before (a refused update, a release that did not go live). Absent in
   * records of versions before 0.2 and of runs that do no git work.
   */
  targetCommit?: string;
  /** update: release: the id of the release the run built (or a rollback switched to). */
  release?: string;
  startedAt: string;
  endedAt: string | null;
  /** Which step is running (while running). */
  step: string | null;
  steps: StepRecord[];
  result: RunResult | 'running';
  /** One line saying why a run did not succeed. */
  message: string | null;
  /** pid of the process that runs it (a resumed run is detected through this). */
  pid: number;
  /** Which process had that pid (see processIdentity): a pid alone may be another's after a crash. */
  identity?: string;
  /** Absolute path of the run's log file. */
  logFile: string;
}

/** What a new record is made from. */
interface NewRunRecord {
  id: string;
  entry: string;
  trigger: Trigger;
  target: Target;
  deliveries: DeliveryRef[];
  /** How many deliveries it stands for (default: deliveries.length). */
  deliveryCount?: number;
  logFile: string;
  /** The process that runs it: its pid and, where it can be read, its identity. */
  owner: { pid: number; identity?: string };
  /** ISO start time; default now. */
  startedAt?: string;
}

/** A run record as a run starts: result 'running', no step, no commit yet. The one place a record is made. */
export function newRunRecord(r: NewRunRecord): RunRecord {
  return {
    id: r.id, entry: r.entry, trigger: r.trigger, target: r.target, deliveries: r.deliveries, deliveryCount: r.deliveryCount ?? r.deliveries.length,
    previous: null, commit: null, startedAt: r.startedAt ?? new Date().toISOString(), endedAt: null,
    step: null, steps: [], result: 'running', message: null,
    pid: r.owner.pid, ...(r.owner.identity !== undefined ? { identity: r.owner.identity } : {}), logFile: r.logFile,
  };
}
