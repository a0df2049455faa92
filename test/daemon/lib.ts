// Shared bits of the daemon tests (issue 4): state-dir readers and small gated entries.
import { after, before } from 'node:test';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { WHAUTO, whauto } from '../helpers/run.ts';
import { writeSettings } from '../helpers/settings.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

export const SECRET = 'daemon-test-secret-4b1d';

export { finishedRuns, lines, runRecords } from '../helpers/state.ts';

/** Names of the files in `<stateDir>/<sub>` ([] when missing), dot files left out. */
export function filesIn(stateDir: string, sub: string): string[] {
  const dir = join(stateDir, sub);
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).sort() : [];
}

/**
 * A command that appends "<entry> <trigger> <run id>" to $COUNT, holds while the file $GATE
 * exists (so a test decides when it ends, not a clock), then appends "end <entry>" to $ENDS.
 */
export const GATED = 'echo "$WHAUTO_ENTRY $WHAUTO_TRIGGER $WHAUTO_RUN_ID" >> "$COUNT"; while [ -e "$GATE" ]; do sleep 0.05; done; echo "end $WHAUTO_ENTRY" >> "$ENDS"';

/** An entry without git (update: none) in its own workdir under `dir`, running `commands`. */
export function plainEntry(dir: string, name: string, commands: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const workdir = join(dir, 'work', name);
  mkdirSync(workdir, { recursive: true });
  return {
    provider: 'github', secret: SECRET, repo: `acme/${name}`, branch: 'main', update: 'none', workdir,
    env: { COUNT: join(dir, 'count'), GATE: join(dir, 'gate'), ENDS: join(dir, 'ends') },
    commands, ...extra,
  };
}

/** Posts a signed GitHub push of `acme/<entry>` main to the entry's URL. */
export async function deliver(daemon: Daemon, entry: string, after = '2'.repeat(40), secret = SECRET): Promise<{ status: number; json: any; id: string }> {
  const d = pushDelivery('github', { repo: `acme/${entry}`, branch: 'main', after }, secret);
  const res = await post(`${daemon.base}/webhook/${entry}`, d.headers, d.body);
  return { ...res, id: d.headers['x-github-delivery']! };
}

/** Runs `whauto status ...args` and returns its exit code and output. */
export function status(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = whauto(['status', ...args]);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** True while process `pid` exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port that was free a moment ago (for a daemon whose log level hides the 'listening' line). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

/**
 * Starts `whauto serve` for settings that listen on `port` and waits until /healthz answers
 * (for log formats or levels the helper's 'listening' line does not fit). Same shape as startDaemon's.
 */
export async function startOnPort(settingsFile: string, port: number): Promise<Daemon> {
  const { spawn } = await import('node:child_process');
  const proc = spawn(WHAUTO, ['serve', settingsFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { out.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited;
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor('healthz answers', async () => {
      if (proc.exitCode !== null) throw new Error(`daemon exited: ${stderr}`);
      try { return (await fetch(`${base}/healthz`)).status === 200; } catch { return false; }
    });
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
  return {
    proc, base, lines: out, exited, stop,
    waitForLine: (re, timeoutMs = 20_000) => waitFor(`a line matching ${re}; stdout:\n${out.join('\n')}\nstderr: ${stderr}`, () => out.find((l) => re.test(l)), timeoutMs),
  };
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
 * and start a daemon on them; after the block, the gate is opened, the daemon stopped and
 * the dir removed. Read the fields inside tests (they are set by the before hook).
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
