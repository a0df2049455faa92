// `whauto serve` for tests: started on the built binary, read line by line, stopped at the end.
import type { ChildProcess } from 'node:child_process';
import { requireBinary, start, WHAUTO } from './run.ts';

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

/** Starts `whauto serve settingsFile` (settings should listen on 127.0.0.1:0) and waits for its 'listening' line. */
export async function startDaemon(settingsFile: string, env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  requireBinary();
  const p = start(WHAUTO, ['serve', settingsFile], { env: { ...process.env, ...env } });
  const { proc, exited } = p;
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let buf = '';
  proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  });
  const waitForLine = (re: RegExp, timeoutMs = 20_000): Promise<string> => {
    const found = lines.find((l) => re.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; stdout:\n${lines.join('\n')}\nstderr:\n${p.stderr()}`)), timeoutMs);
      waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
      exited.then(() => { clearTimeout(t); reject(new Error(`daemon exited; stdout:\n${lines.join('\n')}\nstderr:\n${p.stderr()}`)); });
    });
  };
  const listening = await waitForLine(/ listening /);
  // Quoted when the webhook path holds characters the logger quotes ('=', quotes).
  const url = /url="?(http:\/\/[^ /"]+)/.exec(listening)![1]!;
  return { proc, base: url, lines, waitForLine, exited, stop: p.stop };
}
