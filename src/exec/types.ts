import type { Command } from '../settings/types.ts';

export type { Command };

/** Options of runCommand. */
export interface RunCommandOptions {
  /** Working directory (absolute). A missing one is a result ("workdir X does not exist"). */
  cwd: string;
  /** The command's whole environment: exactly this, nothing inherited. */
  env: Record<string, string>;
  /** ms until the process group gets SIGTERM. */
  timeoutMs: number;
  /** ms between SIGTERM and SIGKILL. Default 5000. */
  graceMs?: number;
  /** Called once per output line (stdout and stderr), without the newline. */
  onLine: (line: string) => void;
  /** Aborting it ends the command like a timeout does (result `aborted`). */
  signal?: AbortSignal;
  /**
   * The name of a variable of `env` that marks this command's processes (WHAUTO_RUN_ID): one
   * that left the process group (setsid) and still holds the output open after the group is
   * gone is found by it and ended too, rather than holding the step for 2 × graceMs. One that
   * left the group and closed the output (a service started on purpose) is left alone.
   */
  strayEnv?: string;
}

/** How a command ended. A spawn failure is a result with `error` set, never a throw. */
export interface CommandResult {
  /** Exit code; null when killed by a signal or never started. */
  exitCode: number | null;
  /** Name of the signal that ended it ('SIGTERM'…), or null. */
  signal: string | null;
  /** Its timeout was reached and its process group was killed. */
  timedOut: boolean;
  /** The AbortSignal fired and its process group was killed. */
  aborted: boolean;
  /** ms from start to the end of its output. */
  durationMs: number;
  /** Why it could not run: "command not found: foo", "workdir /x does not exist", … */
  error: string | null;
}
