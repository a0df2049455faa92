import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the built binary; tests that need it fail clearly when it is missing. */
export const WHAUTO = fileURLToPath(new URL('../../dist/whauto', import.meta.url));

export function requireBinary(): void {
  if (!existsSync(WHAUTO)) throw new Error(`${WHAUTO} is missing: run 'node build.mjs' (npm test builds it)`);
}

export interface Daemon {
  proc: ChildProcess;
  /** e.g. http://127.0.0.1:43121 */
  base: string;
  /** Every stdout line so far. */
  lines: string[];
  /** Resolves with the first line (past or future) matching `re`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait for the exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `whauto serve settingsFile [...args]` (settings should listen on 127.0.0.1:0) and waits for its 'listening' line. */
export async function startDaemon(settingsFile: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<Daemon> {
  requireBinary();
  const proc = spawn(WHAUTO, ['serve', settingsFile, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  const waitForLine = (re: RegExp, timeoutMs = 20_000): Promise<string> => {
    const found = lines.find((l) => re.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`)), timeoutMs);
      waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
      exited.then(() => { clearTimeout(t); reject(new Error(`daemon exited; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`)); });
    });
  };
  const listening = await waitForLine(/ listening /);
  // Quoted when the webhook path holds characters the logger quotes ('=', quotes).
  const url = /url="?(http:\/\/[^ /"]+)/.exec(listening)![1]!;
  return {
    proc, base: url, lines, waitForLine, exited,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Polls `check` every 50 ms until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
