// Processes a test runs: to the end under a time limit (runProcess, whauto), or in the
// background until the test stops them (start). Whatever a test file leaves running is killed
// when its process exits or is cancelled (SIGTERM from node:test at the file timeout).
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the binary under test: dist/whauto, or another build named by
 * WHAUTO_TEST_BINARY. Tests that need it fail clearly when it is missing (requireBinary).
 */
export const WHAUTO = process.env['WHAUTO_TEST_BINARY'] ?? fileURLToPath(new URL('../../dist/whauto', import.meta.url));

/** Throws, naming the build command, when dist/whauto is missing. */
export function requireBinary(): void {
  if (!existsSync(WHAUTO)) throw new Error(`${WHAUTO} is missing: run 'node build.mjs' (npm test builds it)`);
}

/** How long a command run to its end may take (ms) before it is killed and the test fails. */
export const COMMAND_TIMEOUT_MS = 120_000;

export interface RunOptions {
  cwd?: string;
  /** The whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Default COMMAND_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * Runs `cmd args` to its end and returns its status and output (utf8). Throws when it runs
 * past `timeoutMs` (killed with SIGKILL), with what it printed so far; a command that cannot
 * start is returned with `error` set (ENOENT), as spawnSync does.
 */
export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
  const timeout = opts.timeoutMs ?? COMMAND_TIMEOUT_MS;
  const r = spawnSync(cmd, args, {
    encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024,
    ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`${cmd} ${args.join(' ')} did not finish within ${timeout} ms; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r;
}

/** Runs `dist/whauto args` to its end (see runProcess). */
export function whauto(args: string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
  requireBinary();
  return runProcess(WHAUTO, args, opts);
}

/** A process started in the background: its output so far and its exit. */
export interface Started {
  proc: ChildProcess;
  /** Everything it wrote to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) unless it has exited; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * Waits for it to end and its output to close, as runProcess does but without blocking this
   * process (servers of the test keep answering); past `timeoutMs` (default COMMAND_TIMEOUT_MS)
   * it is killed and this throws.
   */
  ended(timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** What runs now, and whether it leads a process group of its own (detached: kill the group). */
const children = new Map<ChildProcess, boolean>();
let guarded = false;

/** Kills what is still running when this test process ends, however it ends. */
function guard(): void {
  if (guarded) return;
  guarded = true;
  const killAll = (): void => {
    for (const [c, group] of children) {
      try { process.kill(group ? -c.pid! : c.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
  };
  process.on('exit', killAll);
  // Then the signal again, now without this listener: it ends the process as it would have.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Starts `cmd args` in the background with stdout and stderr piped and collected. Stop it
 * in the test's `finally` or `after` (`stop()`); anything left is killed when the test
 * process ends (with its process group when `detached`).
 */
export function start(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean } = {}): Started {
  guard();
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.set(proc, opts.detached === true);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => {
    children.delete(proc);
    res(code);
  }));
  const closed = new Promise<void>((res) => proc.once('close', () => res()));
  return {
    proc, exited, stdout: () => out, stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    ended: async (timeoutMs = COMMAND_TIMEOUT_MS) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((res) => { timer = setTimeout(() => res('late'), timeoutMs); });
      const first = await Promise.race([closed, late]);
      clearTimeout(timer);
      if (first === 'late') {
        proc.kill('SIGKILL');
        throw new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`);
      }
      return { code: await exited, stdout: out, stderr: err };
    },
  };
}
