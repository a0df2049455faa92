import type { Entry } from '../settings/types.ts';

export type Trigger = 'webhook' | 'manual' | 'resumed';
export type RunResult = 'succeeded' | 'failed' | 'timed out' | 'interrupted';
export type StepKind = 'pre_commands' | 'git' | 'commands' | 'post_commands' | 'on_failure';

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
  /** ISO time the delivery was accepted. */
  receivedAt: string;
}

// What to deploy is git's notion; runs and everything above them use it from here too.
import type { Target } from '../git/types.ts';
export type { Target };

export interface RunRequest {
  /** Unique run id, e.g. '20261129T072714123Z-3f2a'. */
  id: string;
  entry: Entry;
  trigger: Trigger;
  target: Target;
  /** Deliveries, oldest first; empty for a manual run. The last one fills WHAUTO_* values. */
  deliveries: DeliveryRef[];
  /** Path of a file holding the raw payload of the last delivery, or null. */
  payloadFile: string | null;
}

export interface StepRecord {
  kind: StepKind;
  /** What ran: the command as written, or 'git update'. */
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
  deliveries: DeliveryRef[];
  /** HEAD before the update, and the commit checked out after it (null when unknown). */
  previous: string | null;
  commit: string | null;
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
