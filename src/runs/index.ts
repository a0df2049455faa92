// Runs: what a worker calls. Imports go one way: runs → git, exec.
export { executeRun, type ExecuteRunOptions } from './execute-run.ts';
export { dryRun } from './dry-run.ts';
export { runEnv, whautoVars } from './run-env.ts';
export { endLeftovers } from './end-leftovers.ts';
export type { RunRecord, RunRequest, RunResult, StepRecord, Target, DeliveryRef, Trigger } from './types.ts';
