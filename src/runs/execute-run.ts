import { existsSync, mkdirSync } from 'node:fs';
import { ownIdentity } from '../exec/process-alive.ts';
import { runCommand } from '../exec/run-command.ts';
import { REPODIR_HOLDS } from '../model/names.ts';
import type { Command } from '../settings/types.ts';
import { applySteps, checkOutcome, planUpdate } from '../update/apply.ts';
import { deployedCommit, liveWorkdir, rollbackHow } from '../update/deployed.ts';
import type { Plan } from '../update/types.ts';
import { commandCwd } from './command-cwd.ts';
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

/** How a step went: null when it succeeded. */
interface StepFailure {
  result: Exclude<RunResult, 'succeeded'>;
  message: string;
  /** Lines shown under the result line: git's own words of a failed git step. */
  details?: string[];
}

/**
 * Runs `req`: pre_commands → git update (the plan of the entry's update strategy, applied) →
 * commands (in the plan's workdir: a new release) → the plan's steps after the commands (a
 * release's switch) → post_commands; the first failing step ends the run (a release's new
 * folder is undone unless it went live), then on_failure runs (with WHAUTO_FAILED_STEP) unless
 * the run was interrupted. A rollback (`req.rollback`) deploys what it names; one that
 * switches back to a release runs only the switch and post_commands. pre_commands,
 * post_commands and on_failure run in the workdir of what is deployed (liveWorkdir). The
 * record's commit is what is deployed after the git step (HEAD; the release built), whether it
 * succeeded or not, and after an undo what stays deployed. entry.timeout bounds the whole run: each command gets
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
    id: req.id, entry: entry.name, trigger: req.trigger, target: req.target, deliveries: req.deliveries, deliveryCount: req.deliveryCount,
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
  // Where what is deployed lives: pre_commands, post_commands and on_failure run in its workdir.
  const deployed = liveWorkdir(entry);
  // A rollback that switches back to a release builds nothing: no pre_commands, no commands.
  const switchBack = req.rollback !== undefined && rollbackHow(entry) === 'switch';
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
    kind: Exclude<StepKind, 'git'>, cmd: Command, budgetMs: number | null, vals: RunEnvValues = values,
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
      cwd: commandCwd(kind, deployed, plan?.workdir),
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
    const stepName = REPODIR_HOLDS[entry.update] === 'nothing' ? `no update (update: ${entry.update})` : switchBack ? 'switch back to an earlier release' : 'git update';
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
      to: req.rollback ?? null,
    });
    if (plan.release) record.release = plan.release;
    if (plan.tip) record.targetCommit = plan.tip;
    for (const line of plan.notes) say(`note: ${line}`);
    let problem = plan.refusal ?? await applySteps(plan, plan.steps, entry);
    const at = await plan.where();
    problem ??= await checkOutcome(plan, req.target, at);
    record.previous = plan.previous;
    record.commit = at?.commit ?? null;
    if (!problem && record.commit) record.targetCommit = record.commit;
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

  /**
   * Before pre_commands of a first deploy: the repodir, where they run while nothing is
   * deployed (commandCwd), is made (as `mkdir -p`, the mode the update would give it) when
   * missing, so that they never run in a folder above it. Said in the log; a failed step
   * only when it cannot be made.
   */
  const makeRoot = async (): Promise<StepFailure | null> => {
    const root = deployed.root;
    if (root === null || existsSync(root)) return null;
    try {
      mkdirSync(root, { recursive: true });
      note(`created repodir ${root}, where pre_commands run before the first deploy`);
      return null;
    } catch (err) {
      const stepName = `create repodir ${root}`;
      attempted = `git: ${stepName}`;
      begin('git', stepName);
      end({ kind: 'git', name: stepName, exitCode: null, signal: null, durationMs: 0, ok: false });
      return { result: 'failed', message: `git update: cannot create repodir ${root}, where pre_commands run: ${(err as Error).message}` };
    }
  };

  /**
   * The plan's steps after the commands (a release's switch): a step of its own in the record,
   * named by the plan, so that a failure there is the failed step (WHAUTO_FAILED_STEP, the
   * notifications' failed_step), and fails the run like a command's.
   */
  let afterDone = false;
  const afterCommands = async (): Promise<StepFailure | null> => {
    if (!plan || plan.after.length === 0) {
      afterDone = true;
      return null;
    }
    const stepName = plan.afterName ?? 'git update (after the commands)';
    attempted = `git: ${stepName}`;
    inStep = `git \`${stepName}\``;
    if (opts.signal?.aborted) return interrupted();
    begin('git', stepName);
    const t0 = Date.now();
    const f = await applySteps(plan, plan.after, entry);
    afterDone = f === null;
    end({ kind: 'git', name: stepName, exitCode: f ? null : 0, signal: null, durationMs: Date.now() - t0, ok: !f });
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
    // Before the update, what is deployed (HEAD; the live release) is what pre_commands get as WHAUTO_PREVIOUS (WHAUTO_AFTER is '').
    if (entry.preCommands.length > 0 && !switchBack) values.previous = await deployedCommit(entry);
    record.previous = values.previous;
    report();

    const stages: Array<() => Promise<StepFailure | null>> = [
      ...(switchBack || entry.preCommands.length === 0 ? [] : [makeRoot]),
      ...(switchBack ? [] : entry.preCommands.map((c) => () => command('pre_commands', c, null))),
      gitUpdate,
      ...(switchBack ? [] : entry.commands.map((c) => () => command('commands', c, null))),
      afterCommands,
      ...entry.postCommands.map((c) => () => command('post_commands', c, null)),
    ];
    let failure: StepFailure | null = null;
    for (const stage of stages) {
      failure = await stage();
      if (failure) break;
    }
    // A run that failed before the plan's `after` steps were done leaves nothing of the plan
    // half done that it can take back (a release's new folder); the record then says what stays deployed.
    const made = plan as Plan | null;
    if (failure && made && !afterDone && made.undo.length > 0) {
      const left = await applySteps(made, made.undo, entry);
      if (left) note(`note: ${left.message}`);
      // An undo that failed leaves the release folder, which never went live: what was deployed stays.
      record.commit = left ? made.previous : (await made.where())?.commit ?? null;
    }
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
