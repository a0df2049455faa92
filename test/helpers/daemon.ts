// `whauto serve` for tests: started on the built binary, read line by line, stopped at the end.
import { after, before } from 'node:test';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary, start, WHAUTO, type Started } from './run.ts';
import { writeSettings } from './settings.ts';
import { tempDir } from './tmp.ts';
import { waitFor } from './wait.ts';

export interface Daemon {
  proc: Started['proc'];
  /** Scheme, host and port, e.g. http://127.0.0.1:43121 */
  base: string;
  /** Every stdout line so far. */
  lines: string[];
  /** Its stderr so far. */
  stderr(): string;
  /** Resolves with the first line (past or future) matching `re`; rejects after `timeoutMs` (default 20 s) or when the daemon exits. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** The origin of the `listening` line's url, in text (`url=…`) or JSON log format; null for other lines. */
function listeningOrigin(line: string): string | null {
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line) as { msg?: unknown; url?: unknown };
      return o.msg === 'listening' && typeof o.url === 'string' ? new URL(o.url).origin : null;
    } catch {
      return null;
    }
  }
  // Quoted when the webhook path holds characters the logger quotes ('=', quotes).
  const m = / listening .*url="?(http:\/\/[^ /"]+)/.exec(line);
  return m ? m[1]! : null;
}

/**
 * Starts `whauto serve settingsFile` and resolves once it serves. Without `port` the settings
 * should listen on 127.0.0.1:0 and log at info: the daemon's `listening` line gives its address.
 * With `port` (settings listening on 127.0.0.1:<port>, see freePort; for a log level that hides
 * that line) it waits until /healthz answers. A daemon that does not come up within 30 s, or
 * exits, is killed and the error shows its output. `env` is added to this process's environment;
 * `args` follow the settings file (`--listen ADDR`).
 */
export async function startDaemon(settingsFile: string, opts: { env?: NodeJS.ProcessEnv; port?: number; args?: string[] } = {}): Promise<Daemon> {
  requireBinary();
  const p = start(WHAUTO, ['serve', settingsFile, ...(opts.args ?? [])], { env: { ...process.env, ...opts.env } });
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let buf = '';
  p.proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  });
  const said = (): string => `stdout:\n${lines.join('\n')}\nstderr:\n${p.stderr()}`;
  const waitForLine = (re: RegExp, timeoutMs = 20_000): Promise<string> => {
    const found = lines.find((l) => re.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; ${said()}`)), timeoutMs);
      waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
      p.exited.then(() => { clearTimeout(t); reject(new Error(`the daemon exited before a line matching ${re}; ${said()}`)); });
    });
  };
  let base: string;
  try {
    if (opts.port === undefined) {
      base = listeningOrigin(await waitForLine(/"msg":"listening"| listening /, 30_000))!;
    } else {
      base = `http://127.0.0.1:${opts.port}`;
      await waitFor(`the daemon to answer on ${base}/healthz`, async () => {
        if (p.proc.exitCode !== null) throw new Error(`the daemon exited; ${said()}`);
        try { return (await fetch(`${base}/healthz`)).status === 200; } catch { return false; }
      }, 30_000);
    }
  } catch (err) {
    await p.stop('SIGKILL');
    throw err;
  }
  return { proc: p.proc, base, lines, stderr: p.stderr, waitForLine, exited: p.exited, stop: p.stop };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for startDaemon's `port`). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

/** A daemon for one describe block: its temp dir, settings file, state dir and process. */
export interface DaemonSuite {
  readonly dir: string;
  readonly settings: string;
  readonly state: string;
  readonly daemon: Daemon;
}

/**
 * Registers before/after hooks that write the settings `settingsOf(dir)` in a fresh temp dir
 * and start a daemon on them; after the block, the file `<dir>/gate` is removed (commands
 * that wait on it end), the daemon stopped and the dir removed. Read the fields inside tests
 * (the before hook sets them).
 */
export function daemonSuite(settingsOf: (dir: string) => Record<string, unknown>): DaemonSuite {
  let t: { dir: string; cleanup: () => void } | undefined;
  let settings = '';
  let daemon: Daemon | undefined;
  before(async () => {
    t = tempDir();
    settings = writeSettings(t.dir, settingsOf(t.dir));
    daemon = await startDaemon(settings);
  });
  after(async () => {
    if (!t) return;
    rmSync(join(t.dir, 'gate'), { force: true });
    await daemon?.stop();
    t.cleanup();
  });
  return {
    get dir() { return t!.dir; },
    get settings() { return settings; },
    get state() { return join(t!.dir, 'state'); },
    get daemon() { return daemon!; },
  };
}
