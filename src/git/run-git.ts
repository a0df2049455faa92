import { runCommand } from '../exec/run-command.ts';
import type { CommandResult } from '../exec/types.ts';
import type { Entry } from '../settings/types.ts';
import { gitEnv, processEnv } from './git-env.ts';
import { redactUrl } from './redact-url.ts';
import type { GitOptions } from './types.ts';

/** Lines of output kept for reading results and errors; the rest only streams past. */
const KEEP_LINES = 200;

export interface GitResult extends CommandResult {
  ok: boolean;
  /** The last lines git printed (stdout and stderr), at most 200. */
  lines: string[];
}

/**
 * Runs `git <args>` in `cwd` for `entry` (its gitBinary, sshKey). With `show`, announces
 * the step as a `$ git …` line (URL credentials hidden) and streams git's output to
 * opts.onLine; quiet queries (rev-parse…) only collect it. Never throws.
 */
export async function runGit(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  args: string[],
  cwd: string,
  opts: GitOptions & { show?: boolean; deadline?: number },
): Promise<GitResult> {
  const lines: string[] = [];
  const show = opts.show === true && opts.onLine !== undefined;
  if (show) opts.onLine!(redactUrl(`$ git ${args.join(' ')}`));
  const timeoutMs = opts.deadline !== undefined ? Math.max(0, opts.deadline - Date.now()) : opts.timeoutMs ?? 600_000;
  const r = await runCommand({ run: [entry.gitBinary, ...args], timeout: null }, {
    cwd,
    env: gitEnv(entry, opts.env ?? processEnv()),
    // In a run, git's processes carry the run's id too (see runEnv).
    strayEnv: 'WHAUTO_RUN_ID',
    timeoutMs,
    ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onLine: (line) => {
      lines.push(line);
      if (lines.length > KEEP_LINES) lines.shift();
      if (show) opts.onLine!(redactUrl(line));
    },
  });
  return { ...r, ok: r.exitCode === 0 && r.error === null, lines };
}
