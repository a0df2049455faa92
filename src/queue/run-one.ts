import { existsSync } from 'node:fs';
import { ownIdentity } from '../exec/process-alive.ts';
import type { Logger } from '../log/logger.ts';
import { executeRun } from '../runs/execute-run.ts';
import { deployedCommit } from '../update/deployed.ts';
import { newRunRecord, type RunRecord } from '../model/run-record.ts';
import { targetRef } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import type { RunRequest } from '../runs/types.ts';
import { layout } from '../state/layout.ts';
import { markRunning, pruneRuns, runRecordWrite, unmarkRunning } from '../state/runs.ts';
import { stateWriter, type FileWrite } from '../state/writer.ts';
import { logRunFinished } from './finished-line.ts';

/**
 * ms a step change waits before it is written: only the newest change of that time is
 * written, so a quick run's six step changes cost no write at all (the final record holds
 * them), while `status` still sees a longer step within this time.
 */
const STEP_WRITE_MS = 100;

/** What a run needs from its surroundings, whether the daemon or `trigger` starts it. */
export interface RunContext {
  stateDir: string;
  /** Bytes; a run's log is cut there. */
  maxLog: number;
  keepRuns: number;
  logger: Logger;
  /** Each output line, besides the run's log file (the daemon logs it, trigger prints it). */
  onLine?: (req: RunRequest, line: string) => void;
  /** Told as each run starts, changes step and ends (notifications); must return at once and never throw. */
  observer?: RunObserver;
}

/** What watches runs go (the notifier): the record is the live one, to read at once, never to change. */
interface RunObserver {
  onRunStarted(entry: Entry, record: Readonly<RunRecord>): void;
  onRunStep(entry: Entry, record: Readonly<RunRecord>): void;
  onRunFinished(entry: Entry, record: Readonly<RunRecord>): void;
}

/** How runOne starts a run besides the request itself. */
interface RunOneOptions {
  signal?: AbortSignal;
  /** Raw payload of the newest delivery: written beside the first record as the run's payload file (WHAUTO_PAYLOAD). */
  payload?: Buffer | null;
  /**
   * For a run the journal keeps (the daemon's): called once its final record is on disk, to say
   * in the journal that the pending run it came from is gone; resolves true once that is on
   * disk too. Until then a restart finds the run by the journal (or its record, when that
   * reached the disk), so its first record and payload need not be fsync'd. Without it (a
   * `trigger`), they are, before the run starts.
   */
  take?: () => Promise<boolean>;
  /** Told once the first record is durable (null), or with the error when it could not be written. */
  onRecorded?: (err: Error | null) => void;
  /** Given a function that writes the run's record again now, durably (the state dir was removed and made again). */
  onRecorder?: (recordNow: () => void) => void;
}

/**
 * Runs `req` while its checkout's lock is held (the caller took it), recording the run in the
 * state dir as it goes, through the state writer (off the main thread, in order): a running
 * mark and a 'running' record first (so a crash is seen on the next start; durable unless the
 * journal keeps the run: see `take`), with the payload file; the step as it changes (atomic, not fsync'd: it is for
 * `status`; at most every STEP_WRITE_MS); the final record, durable before runOne resolves.
 * Old runs are pruned afterwards. Never throws for a failing run; state-dir write failures are logged, not thrown.
 */
export async function runOne(req: RunRequest, ctx: RunContext, opts: RunOneOptions = {}): Promise<RunRecord> {
  const { stateDir, logger } = ctx;
  const entry = req.entry.name;
  const logFile = layout.runLog(stateDir, entry, req.id);
  const writer = stateWriter();
  const failed = (err: unknown): void => {
    logger.error('cannot write run record', { entry, run: req.id, error: (err as Error).message });
  };
  let last: Promise<void> = Promise.resolve();
  const saveLater = (record: RunRecord, durable: boolean): void => {
    last = writer.write({ files: [runRecordWrite(stateDir, record, durable)] }).catch(failed);
  };
  let stepTimer: NodeJS.Timeout | null = null;
  // The live record (see executeRun's onStep): serialized when the timer fires, in its state then.
  let newestStep: Readonly<RunRecord> | null = null;
  // The newest record known, for recordNow.
  let latest: Readonly<RunRecord> | null = null;
  // The commit the run set out to deploy is written at once: a run cut off soon after is told
  // (notice, commit status) by whoever records it interrupted, which reads it from the record.
  let targetWritten: string | null = null;
  const stepLater = (record: Readonly<RunRecord>): void => {
    newestStep = record;
    latest = record;
    const target = record.targetCommit ?? null;
    if (target !== null && target !== targetWritten) {
      targetWritten = target;
      if (stepTimer) clearTimeout(stepTimer);
      stepTimer = null;
      newestStep = null;
      saveLater(record as RunRecord, false);
      return;
    }
    stepTimer ??= setTimeout(() => {
      stepTimer = null;
      if (newestStep) saveLater(newestStep, false);
      newestStep = null;
    }, STEP_WRITE_MS);
  };
  const payloadFile = layout.runPayload(stateDir, entry, req.id);
  const running = newRunRecord({
    id: req.id, entry, trigger: req.trigger, target: req.target, deliveries: req.deliveries, deliveryCount: req.deliveryCount, logFile,
    owner: { pid: process.pid, ...ownIdentity() },
  });
  latest = running;
  const durableStart = opts.take === undefined;
  const first: FileWrite[] = [runRecordWrite(stateDir, running, durableStart)];
  let ended = false;
  opts.onRecorder?.(() => {
    if (!ended && latest) saveLater(latest, true);
  });
  if (opts.payload) first.push({ file: payloadFile, data: opts.payload, durable: durableStart });
  let recorded = false;
  try {
    markRunning(stateDir, entry, req.id);
    await writer.write({ files: first });
    recorded = true;
    if (opts.payload) req.payloadFile = payloadFile;
    opts.onRecorded?.(null);
  } catch (err) {
    failed(err);
    if (opts.payload) req.payloadFile = existsSync(payloadFile) ? payloadFile : null;
    opts.onRecorded?.(err as Error);
  }
  const newest = req.deliveries.at(-1);
  logger.info('run started', {
    entry, run: req.id, trigger: req.trigger, ref: targetRef(req.target),
    deliveries: req.deliveryCount ?? req.deliveries.length, delivery: newest?.deliveryId ?? undefined,
  });
  // A 'started' notice names what is deployed now as the previous commit (a delivery's
  // `before` need not be it; a trigger has none). Read only when a target is told of starts.
  if (ctx.observer && req.entry.notify.some((t) => t.on.includes('started'))) running.previous = await deployedCommit(req.entry);
  ctx.observer?.onRunStarted(req.entry, running);
  const execOpts: Parameters<typeof executeRun>[1] = {
    logFile,
    maxLog: ctx.maxLog,
    onStep: (r) => {
      stepLater(r);
      ctx.observer?.onRunStep(req.entry, r);
    },
    onLine: (line: string) => ctx.onLine?.(req, line),
  };
  if (opts.signal) execOpts.signal = opts.signal;
  const record = await executeRun(req, execOpts);
  ended = true;
  // The final record stands for any step change not yet written.
  if (stepTimer) clearTimeout(stepTimer);
  stepTimer = null;
  const final = writer.write({ files: [runRecordWrite(stateDir, record, true)] });
  last = final.catch(failed);
  await last;
  // Unmarked, and gone from the journal, only once the final record is on disk: else a restart finds it cut off.
  const ok = await final.then(() => true, () => false);
  if (ok) unmarkRunning(stateDir, entry, req.id);
  // Not pruned before the journal says the run is gone: a pruned record would not keep a restart from running it again.
  const taken = ok && recorded && (opts.take ? await opts.take() : true);
  logRunFinished(logger, record);
  ctx.observer?.onRunFinished(req.entry, record);
  try {
    if (taken) pruneRuns(stateDir, entry, ctx.keepRuns, (file, to, why) => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why }));
  } catch (err) {
    logger.warn('cannot prune old runs', { entry, error: (err as Error).message });
  }
  return record;
}
