import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createLineSplitter } from './line-splitter.ts';
import { findByEnv, openFiles, signalFound } from './find-by-env.ts';
import { groupRunning, killGroup } from './kill-group.ts';
import type { Command, CommandResult, RunCommandOptions } from './types.ts';

/** Default ms between SIGTERM and SIGKILL. */
export const DEFAULT_GRACE_MS = 5000;

/** ms the rest of a command's group gets to go by itself after the command exits, before it counts as left running. */
const STRAY_SETTLE_MS = 100;

/**
 * Runs one command and resolves with how it ended; never rejects.
 *
 * - A string runs as `/bin/sh -c 'exec 2>&1; <string>'`: stderr joins stdout on one pipe, so
 *   their lines keep their real order. A list runs as an argv without any shell; its stdout
 *   and stderr are two pipes, read as they come (order across them is best effort).
 * - The env is exactly `opts.env`. The command leads its own process group.
 * - At `timeoutMs` or when `opts.signal` aborts, the whole group gets SIGTERM, then SIGKILL
 *   after `graceMs`.
 * - When the main process exits, whatever is left of its group (background children) after
 *   STRAY_SETTLE_MS gets SIGTERM, then SIGKILL after `graceMs`: a deploy step must not leave
 *   strays behind or hold the run open through an inherited pipe. A line to `onLine` says
 *   so. Long-lived services belong to systemd & co.
 *   A stray that left the group (setsid) and keeps the pipes open is ended the same way
 *   when `opts.strayEnv` names its marker (see RunCommandOptions), else cut loose after
 *   2 × graceMs.
 * - Output goes line by line to `opts.onLine` (lines over 64 KiB are split); nothing is
 *   buffered whole.
 */
export function runCommand(command: Command, opts: RunCommandOptions): Promise<CommandResult> {
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const started = Date.now();
  const result = (fields: Partial<CommandResult>): CommandResult => ({
    exitCode: null, signal: null, timedOut: false, aborted: false,
    durationMs: Date.now() - started, error: null, ...fields,
  });

  const problem = checkStart(command, opts);
  if (problem) return Promise.resolve(result({ error: problem }));
  if (opts.signal?.aborted) return Promise.resolve(result({ aborted: true, error: 'aborted before start' }));

  return new Promise<CommandResult>((resolve) => {
    let child: ChildProcess;
    const [file, args] = Array.isArray(command.run)
      ? [command.run[0]!, command.run.slice(1)]
      : ['/bin/sh', ['-c', `exec 2>&1; ${command.run}`]];
    try {
      child = spawn(file, args, {
        cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      resolve(result({ error: spawnError(err, file) }));
      return;
    }

    // What the command's stdout and stderr are, as its processes see them: a stray outside the
    // group is one that still holds one of these (see strayEnv), not one that closed them.
    // Read from /proc once the command runs (right after spawn, under load, they may not read yet).
    const output = new Set<string>();
    let looksForOutput = 0;
    const learnOutput = (): void => {
      if (opts.strayEnv === undefined || child.pid === undefined || exited) return;
      for (const f of openFiles(child.pid, [1, 2])) output.add(f);
      if (output.size === 0 && looksForOutput++ < 50) setTimeout(learnOutput, 2).unref();
    };
    const out = createLineSplitter(safe(opts.onLine));
    const err = createLineSplitter(safe(opts.onLine));
    const pid = child.pid;
    let timedOut = false;
    let aborted = false;
    let exited: { code: number | null; signal: string | null } | null = null;
    let done = false;
    let deadline: NodeJS.Timeout | undefined;
    let strayDeadline: NodeJS.Timeout | undefined;
    let ending = false;

    // SIGTERM the group now and SIGKILL it after the grace period, once. The SIGKILL timer
    // outlives finish() (unref'd) so group members that ignore SIGTERM still end.
    const endGroup = (): boolean => {
      if (ending || pid === undefined) return false;
      ending = true;
      if (!killGroup(pid, 'SIGTERM')) return false;
      setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs).unref();
      return true;
    };
    // Processes the command left running that were ended: in its group, and outside it (setsid).
    let inGroup = false;
    let escaped = false;

    const finish = (error: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(strayDeadline);
      opts.signal?.removeEventListener('abort', onAbort);
      out.flush();
      err.flush();
      if (inGroup || escaped) {
        const where = !escaped ? 'in its process group' : inGroup ? 'in its process group and outside it (setsid)' : 'outside its process group (setsid)';
        safe(opts.onLine)(`whauto: the command left processes running ${where}; they were ended (SIGTERM, then SIGKILL)`);
      }
      resolve(result({
        exitCode: exited?.code ?? null, signal: exited?.signal ?? null, timedOut, aborted, error,
      }));
    };

    const onAbort = (): void => {
      if (exited || done) return;
      aborted = true;
      endGroup();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    deadline = setTimeout(() => {
      if (exited || done) return;
      timedOut = true;
      endGroup();
    }, Math.min(Math.max(0, opts.timeoutMs), 2 ** 31 - 1));

    learnOutput();
    readByTurns(child.stdout!, (chunk) => out.push(chunk));
    readByTurns(child.stderr!, (chunk) => err.push(chunk));
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});

    child.on('error', (e) => {
      // Spawn failed (ENOENT, EACCES…): no exit event follows.
      if (!exited) finish(spawnError(e, file));
    });
    // While the group is being looked at after the exit, the end waits for that.
    let settling = false;
    let closed = false;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      clearTimeout(deadline);
      settling = true;
      // A member that is only exiting (git's helpers after a failed fetch) is given
      // STRAY_SETTLE_MS to go; what is left then is a stray: ended too, so it cannot hold
      // the pipes open, and reported.
      const settleStart = Date.now();
      let looks = 0;
      const look = (): void => {
        // Whether the members left are more than zombies takes a look through /proc: done at
        // the first look and the last only (between them, whether the group exists at all).
        const first = looks++ === 0;
        const last = Date.now() - settleStart >= STRAY_SETTLE_MS;
        const running = pid !== undefined && (first || last ? groupRunning(pid) : killGroup(pid, 0));
        if (running && !last) {
          setTimeout(look, 10);
          return;
        }
        settling = false;
        inGroup = running && endGroup();
        // The output still open STRAY_SETTLE_MS later: a stray that left the group holds it.
        // Found by the marker in its environment (a look through /proc, so only then) and ended.
        const marker = opts.strayEnv !== undefined ? opts.env[opts.strayEnv] : undefined;
        if (marker !== undefined) {
          setTimeout(() => {
            if (closed || done) return;
            const away = findByEnv(opts.strayEnv!, marker).filter((p) => p.pgid !== pid && holdsOutput(p.pid, output));
            if (away.length === 0) return;
            escaped = true;
            signalFound(away, 'SIGTERM');
            setTimeout(() => signalFound(away, 'SIGKILL'), graceMs).unref();
          }, STRAY_SETTLE_MS).unref();
        }
        // A stray that left the group and holds a pipe: stop reading after a while.
        strayDeadline = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(null);
        }, 2 * graceMs + 100);
        if (closed) finish(null);
      };
      look();
    });
    child.on('close', () => {
      closed = true;
      if (!settling) finish(null);
    });
  });
}

/**
 * Hands the stream's chunks to `onChunk`, one per turn of the event loop: libuv reads a pipe
 * up to 32 times in a row, and a command printing megabytes of short lines would otherwise
 * hold the daemon (deliveries, /healthz) for as long as all those lines take.
 */
function readByTurns(stream: Readable, onChunk: (chunk: Buffer) => void): void {
  stream.on('data', (chunk: Buffer) => {
    onChunk(chunk);
    stream.pause();
    setImmediate(() => stream.resume());
  });
}

/**
 * Whether process `pid` holds the command's output open: one of the files in `output` (the
 * command's stdout and stderr), or, when those could not be read (the command was gone
 * first), a stdout or stderr that is a socket or pipe rather than a file or /dev/null.
 */
function holdsOutput(pid: number, output: Set<string>): boolean {
  if (output.size > 0) return openFiles(pid).some((f) => output.has(f));
  return openFiles(pid, [1, 2]).some((f) => f.startsWith('socket:[') || f.startsWith('pipe:['));
}

/** Why the command cannot start, checked before spawning; null when it can. */
function checkStart(command: Command, opts: RunCommandOptions): string | null {
  try {
    if (!statSync(opts.cwd).isDirectory()) return `workdir ${opts.cwd} is not a directory`;
  } catch {
    return `workdir ${opts.cwd} does not exist`;
  }
  if (Array.isArray(command.run) && (command.run.length === 0 || command.run[0] === '')) {
    return 'empty command';
  }
  return null;
}

function spawnError(err: unknown, file: string): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return `command not found: ${file}`;
  if (code === 'EACCES') return `permission denied: ${file}`;
  return `cannot start ${file}: ${(err as Error)?.message ?? String(err)}`;
}

/** A throwing onLine must not break the reading of output. */
function safe(onLine: (line: string) => void): (line: string) => void {
  return (line) => {
    try {
      onLine(line);
    } catch {
      // The caller's problem; the command goes on.
    }
  };
}
