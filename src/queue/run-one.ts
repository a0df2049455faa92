import { mkdirSync } from 'node:fs';
import type { Logger } from '../log/logger.ts';
import { executeRun } from '../runs/execute-run.ts';
import type { RunRecord, RunRequest } from '../runs/types.ts';
import { layout } from '../state/layout.ts';
import { pruneRuns, saveRun, saveRunAsync } from '../state/runs.ts';

/** What a run needs from its surroundings, whether the daemon or `trigger` starts it. */
export interface RunContext {
  stateDir: string;
  /** Bytes; a run's log is cut there. */
  maxLog: number;
  keepRuns: number;
  logger: Logger;
  /** Each output line, besides the run's log file (the daemon logs it, trigger prints it). */
  onLine?: (req: RunRequest, line: string) => void;
}

/**
 * Runs `req` while its checkout's lock is held (the caller took it), recording the run in the
 * state dir as it goes: a 'running' record first (so a crash is seen on the next start), the
 * step as it changes, and the final record. `beforeStart` runs after the first record is
 * written (the daemon removes the pending file there). Old runs are pruned afterwards.
 * Never throws for a failing run; state-dir write failures are logged, not thrown.
 */
export async function runOne(req: RunRequest, ctx: RunContext, opts: { signal?: AbortSignal; beforeStart?: () => void } = {}): Promise<RunRecord> {
  const { stateDir, logger } = ctx;
  const entry = req.entry.name;
  const logFile = layout.runLog(stateDir, entry, req.id);
  const save = (record: RunRecord): void => {
    try {
      saveRun(stateDir, record);
    } catch (err) {
      logger.error('cannot write run record', { entry, run: req.id, error: (err as Error).message });
    }
  };
  // Later records are written off the main thread, in order: under a stream of deliveries their
  // fsyncs on the main thread held up every answer. The first one stays synchronous (it must be
  // durable before the pending file goes); the last one is durable before runOne resolves.
  let chain: Promise<void> = Promise.resolve();
  const saveLater = (record: RunRecord): void => {
    const copy = structuredClone(record);
    chain = chain.then(() => saveRunAsync(stateDir, copy)).catch((err: unknown) => {
      logger.error('cannot write run record', { entry, run: req.id, error: (err as Error).message });
    });
  };
  mkdirSync(layout.runsDir(stateDir, entry), { recursive: true });
  const last = req.deliveries.at(-1);
  save({
    id: req.id, entry, trigger: req.trigger, target: req.target, deliveries: req.deliveries,
    previous: null, commit: null, startedAt: new Date().toISOString(), endedAt: null,
    step: null, steps: [], result: 'running', message: null, pid: process.pid, logFile,
  });
  opts.beforeStart?.();
  logger.info('run started', {
    entry, run: req.id, trigger: req.trigger, ref: `${req.target.kind === 'tag' ? 'refs/tags/' : 'refs/heads/'}${req.target.name}`,
    deliveries: req.deliveries.length, delivery: last?.deliveryId ?? undefined,
  });
  const execOpts: Parameters<typeof executeRun>[1] = {
    logFile,
    maxLog: ctx.maxLog,
    onStep: saveLater,
    onLine: (line: string) => ctx.onLine?.(req, line),
  };
  if (opts.signal) execOpts.signal = opts.signal;
  const record = await executeRun(req, execOpts);
  saveLater(record);
  await chain;
  const ms = Date.parse(record.endedAt ?? '') - Date.parse(record.startedAt);
  const fields = { entry, run: req.id, result: record.result, commit: record.commit, duration_ms: Number.isFinite(ms) ? ms : undefined, message: record.message ?? undefined };
  if (record.result === 'succeeded') logger.info('run finished', fields);
  else logger.warn('run finished', fields);
  try {
    pruneRuns(stateDir, entry, ctx.keepRuns, (file, to, why) => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why }));
  } catch (err) {
    logger.warn('cannot prune old runs', { entry, error: (err as Error).message });
  }
  return record;
}
