import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ownIdentity } from '../exec/process-alive.ts';
import { runCommand } from '../exec/run-command.ts';
import { head } from '../git/head.ts';
import type { Command } from '../settings/types.ts';
import { applySteps, checkOutcome, planUpdate } from '../update/apply.ts';
import type { Plan } from '../update/types.ts';
import { commandName } from './command-name.ts';
import { formatDuration } from '../log/format-duration.ts';
import { openRunLog } from './run-log.ts';
import { runEnv, type RunEnvValues } from './run-env.ts';
import type { RunResult, StepKind } from '../model/names.ts';
import { newRunRecord, type RunRecord, type StepRecord } from '../model/run-record.ts';
import type { RunRequest } from './types.ts';

/** ms on_failure commands get when they set no timeout of their own (past the run's timeout). */
const ON_FAILURE_TIMEOUT_MS = 60_000;

export interface ExecuteRunOptions {
  /** Absolute path of the run's log file (appended to; its folder is created). */
  logFile: string;
  /** Cap of the log file in bytes; later lines are cut with one note. */
  maxLog: number;
  /** ms between SIGTERM and SIGKILL. Default 5000. */
  graceMs?: number;
  /** Every log line as it comes (also those past the log cap). */
  onLine?: (line: string) => void;
  /**
   * The run's record whenever a step starts or ends, and at the end: the live record, not a
   * copy (a run standing for hundreds of deliveries made copying it a cost of its own), so a
   * caller reads or serializes it then, or later to get its newer state, and never changes it.
   */
  onStep?: (record: Readonly<RunRecord>) => void;
  /** Aborting it kills the running step; the run ends `interrupted`, on_failure does not run. */
  signal?: AbortSignal;
  /** Base environment of commands. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Where pre_commands run: the workdir, or, before the first deploy has cloned the checkout
 * (the workdir does not exist yet), the nearest existing folder above the repodir, so that an
 * entry with pre_commands and a clone_url can make its first deploy.
 */
function preCommandsCwd(workdir: string, repodir: string | null): string {
  if (existsSync(workdir) || repodir === null || existsSync(repodir)) return workdir;
  let dir = dirname(repodir);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** How a step went: null when it succeeded. */
interface StepFailure {
  result: Exclude<RunResult, 'succeeded'>;
  message: string;
  /** Lines shown under the result line: git's own words of a failed git step. */
  details?: string[];
}

/**
 * Runs `req`: pre_commands → git update (the plan of the entry's update strategy, applied) →
 * commands → the plan's steps after the commands (a release's switch) → post_commands; the
 * first failing step ends the run (a release's new folder is undone), then on_failure runs
 * (with WHAUTO_FAILED_STEP) unless the run was interrupted. The record's commit is what HEAD
 * is after the git step, whether it succeeded or not. entry.timeout bounds the whole run: each command gets
 * min(its own timeout, what is left). Output and a `==> <kind>: <name>` line per step go to
 * the log file and onLine. Never throws for a failing run; resolves with the final record
 * (result succeeded | failed | timed out | interrupted, message one line).
 */
export async function executeRun(req: RunRequest, opts: ExecuteRunOptions): Promise<RunRecord> {
  const { entry } = req;
  const started = Date.now();
  const deadline = started + entry.timeout;
  const log = openRunLog(opts.logFile, opts.maxLog);
  /** One line of output to the log and the follower; `own`: whauto's own (kept past the log's cap). */
  const tell = (line: string, own: boolean): void => {
    if (own) log.note(line);
    else log.write(line);
    try {
      opts.onLine?.(line);
    } catch {
      // a broken follower must not break the run
    }
  };
  const say = (line: string): void => tell(line, false);
  const note = (line: string): void => tell(line, true);
  const record: RunRecord = newRunRecord({
    id: req.id, entry: entry.name, trigger: req.trigger, target: req.target, deliveries: req.deliveries,
    logFile: opts.logFile, owner: { pid: process.pid, ...ownIdentity() }, startedAt: new Date(started).toISOString(),
  });
  const report = (): void => {
    try {
      opts.onStep?.(record);
    } catch {
      // the caller's problem
    }
  };
  const values: RunEnvValues = { previous: null, after: null };
  // The step the run was in when its own timeout (entry.timeout) came: named in the message.
  let inStep = '';
  const timedOutRun = (): StepFailure => ({
    result: 'timed out',
    message: `${inStep ? `${inStep} ` : ''}timed out after ${formatDuration(entry.timeout)} (the entry's timeout)`,
  });
  const interrupted = (): StepFailure => ({ result: 'interrupted', message: 'interrupted' });

  const begin = (kind: StepKind, name: string): void => {
    record.step = `${kind}: ${name}`;
    note(`==> ${kind}: ${name}`);
    report();
  };
  const end = (step: StepRecord): void => {
    record.steps.push(step);
    record.step = null;
    report();
  };

  /** Runs one command as a step; `budgetMs` null: bounded by the run's deadline. */
  let attempted = '';
  const command = async (
    kind: StepKind, cmd: Command, budgetMs: number | null, vals: RunEnvValues = values,
  ): Promise<StepFailure | null> => {
    const name = commandName(cmd);
    attempted = `${kind}: ${name}`;
    inStep = `${kind} \`${name}\``;
    if (opts.signal?.aborted) return interrupted();
    const left = budgetMs ?? deadline - Date.now();
    if (left <= 0) return timedOutRun();
    const own = cmd.timeout ?? Infinity;
    begin(kind, name);
    const r = await runCommand(cmd, {
      cwd: kind === 'pre_commands' ? preCommandsCwd(entry.workdir, entry.repodir) : plan?.workdir ?? entry.workdir,
      env: { ...runEnv(req, vals, opts.env), ...(kind === 'pre_commands' ? {} : plan?.env) },
      strayEnv: 'WHAUTO_RUN_ID',
      timeoutMs: Math.min(own, left),
      onLine: say,
      ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const ok = r.exitCode === 0 && r.error === null && !r.timedOut && !r.aborted;
    end({ kind, name, exitCode: r.exitCode, signal: r.signal, durationMs: r.durationMs, ok });
    if (ok) return null;
    if (r.aborted) return interrupted();
    if (r.timedOut) {
      return own <= left
        ? { result: 'timed out', message: `${kind} \`${name}\` timed out after ${formatDuration(own)}` }
        : timedOutRun();
    }
    if (r.error) return { result: 'failed', message: `${kind} \`${name}\`: ${r.error}` };
    if (r.signal) return { result: 'failed', message: `${kind} \`${name}\` was killed by ${r.signal}` };
    return { result: 'failed', message: `${kind} \`${name}\` exited with ${r.exitCode}` };
  };

  // The update's plan: made and applied in the git step; its `after` steps follow the commands.
  let plan: Plan | null = null;
  const gitUpdate = async (): Promise<StepFailure | null> => {
    // update: none does no git work; its step says so rather than claiming an update.
    const stepName = entry.update === 'none' ? 'no update (update: none)' : 'git update';
    attempted = `git: ${stepName}`;
    inStep = `git \`${stepName}\``;
    if (opts.signal?.aborted) return interrupted();
    const left = deadline - Date.now();
    if (left <= 0) return timedOutRun();
    begin('git', stepName);
    const t0 = Date.now();
    plan = await planUpdate(entry, req.target, {
      dry: false,
      env: runEnv(req, values, opts.env),
      onLine: say,
      timeoutMs: left,
      ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    for (const line of plan.notes) say(`note: ${line}`);
    let problem = plan.refusal ?? await applySteps(plan, plan.steps, entry);
    const at = await plan.where();
    problem ??= await checkOutcome(plan, req.target, at);
    record.previous = plan.previous;
    record.commit = at?.commit ?? null;
    values.previous = plan.previous;
    values.after = record.commit;
    end({ kind: 'git', name: stepName, exitCode: problem ? null : 0, signal: null, durationMs: Date.now() - t0, ok: !problem });
    if (!problem) return null;
    if (problem.aborted || opts.signal?.aborted) return interrupted();
    if (problem.timedOut || Date.now() >= deadline) return timedOutRun();
    // A refusal comes before any change to the checkout: say where it stays.
    const still = problem === plan.refusal && record.commit ? `; the checkout stays at ${record.commit}` : '';
    return { result: 'failed', message: `git update: ${problem.message}${still}`, details: problem.gitLines };
  };

  /** The plan's steps after the commands (a release's switch): a failure there fails the run like a command's. */
  const afterCommands = async (): Promise<StepFailure | null> => {
    if (!plan || plan.after.length === 0) return null;
    const f = await applySteps(plan, plan.after, entry);
    return f ? { result: 'failed', message: `git update: ${f.message}`, details: f.gitLines } : null;
  };

  const finish = (failure: StepFailure | null): RunRecord => {
    record.endedAt = new Date().toISOString();
    record.step = null;
    record.result = failure?.result ?? 'succeeded';
    record.message = failure?.message ?? null;
    note(!failure ? `==> succeeded in ${formatDuration(Date.now() - started)}`
      : failure.message === failure.result ? `==> ${failure.result}` : `==> ${failure.result}: ${failure.message}`);
    for (const line of failure?.details ?? []) note(`    ${line}`);
    log.close();
    report();
    return record;
  };

  try {
    // Before the update, HEAD is what is deployed: pre_commands get it as WHAUTO_PREVIOUS (WHAUTO_AFTER is '').
    if (entry.repodir && entry.preCommands.length > 0) values.previous = await head(entry.repodir, { gitBinary: entry.gitBinary });
    record.previous = values.previous;
    report();

    const stages: Array<() => Promise<StepFailure | null>> = [
      ...entry.preCommands.map((c) => () => command('pre_commands', c, null)),
      gitUpdate,
      ...entry.commands.map((c) => () => command('commands', c, null)),
      afterCommands,
      ...entry.postCommands.map((c) => () => command('post_commands', c, null)),
    ];
    let failure: StepFailure | null = null;
    for (const stage of stages) {
      failure = await stage();
      if (failure) break;
    }
    // A failed run leaves nothing of a plan half done that it can take back (a release's new folder).
    if (failure && plan && (plan as Plan).undo.length > 0) await applySteps(plan, (plan as Plan).undo, entry);
    if (failure && failure.result !== 'interrupted') {
      // Said before on_failure's output, so the log reads in the order things happened.
      if (entry.onFailure.length > 0) {
        note(`==> ${failure.result}: ${failure.message}; on_failure runs`);
        for (const line of failure.details ?? []) note(`    ${line}`);
      }
      // on_failure sees the failed step; it gets its own time, as the run's may be spent.
      const failValues: RunEnvValues = { ...values, failedStep: attempted };
      for (const cmd of entry.onFailure) {
        const f = await command('on_failure', cmd, cmd.timeout ?? ON_FAILURE_TIMEOUT_MS, failValues);
        if (f?.result === 'interrupted') break;
      }
    }
    return finish(failure);
  } catch (err) {
    // A bug of ours must still leave a finished record.
    return finish({ result: 'failed', message: `internal error: ${(err as Error)?.message ?? String(err)}` });
  }
}
