export type { Target } from '../model/target.ts';

/** Options shared by the git functions. */
export interface GitOptions {
  /** Base environment for git (GIT_TERMINAL_PROMPT, GIT_SSH_COMMAND, LC_ALL are added). Default process.env. */
  env?: Record<string, string>;
  /** Gets each line git prints, and a `$ git …` line before each step that changes something. */
  onLine?: (line: string) => void;
  /** Aborting it kills the running git (the update then fails). */
  signal?: AbortSignal;
  /** ms the whole update may take. Default 10 min. */
  timeoutMs?: number;
  /** ms between SIGTERM and SIGKILL. Default 5000. */
  graceMs?: number;
}
