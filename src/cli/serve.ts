import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../log/logger.ts';
import { lineBuffer } from '../log/line-buffer.ts';
import { Queue } from '../queue/queue.ts';
import { OutsideRuns } from '../queue/outside-runs.ts';
import { Poller } from '../poll/poller.ts';
import { createWebhookServer } from '../server/server.ts';
import { createMetrics } from '../server/metrics.ts';
import { createNotifier } from '../notify/notifier.ts';
import type { RunRecord } from '../model/run-record.ts';
import { VERSION } from './version.ts';
import { formatFinding } from '../settings/finding.ts';
import { loadSettings } from '../settings/load.ts';
import type { Settings } from '../settings/types.ts';
import { argsError, EXIT, positionalsProblem, usageError, type Io } from './io.ts';
import { foreignStateDir, loadOrReport, prepareStateDir } from './load.ts';
import { DAEMON_LOCK_KEY, tryLock } from '../checkouts/lock.ts';
import { layout } from '../state/layout.ts';
import { outputCap } from '../log/output-cap.ts';
import { notOnThisMachine, parseListen } from '../settings/listen.ts';

const HELP = `usage: whauto serve SETTINGS [--listen HOST:PORT]

Runs the daemon: answers webhooks on 'listen' and runs entries in a worker queue.
The 'listening' line of its log says the address it listens on.
Entries with 'poll' have their remote asked for new commits at that interval.
SIGHUP reloads SETTINGS (a file that does not validate is refused; the old settings stay).
SIGTERM/SIGINT: stop polling and accepting (503), let runs finish within shutdown_timeout, exit 0.

  --listen HOST:PORT  listen here instead of the settings' listen, written as that key is
                      (127.0.0.1:5000, [::1]:5000, a bare port; port 0 takes a free one);
                      an address of this machine, or 0.0.0.0 or :: for all of them
`;

/** `whauto serve SETTINGS [--listen HOST:PORT]`: resolves with the exit code when the daemon has stopped. */
export async function runServe(io: Io, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, listen: { type: 'string' } } });
  } catch (err) {
    return usageError(io, 'serve', HELP, argsError(err));
  }
  if (parsed.values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const problem = positionalsProblem(parsed.positionals, ['SETTINGS']);
  if (problem) return usageError(io, 'serve', HELP, problem);
  const file = parsed.positionals[0]!;
  const listen = parsed.values.listen === undefined ? null : listenOption(parsed.values.listen);
  if (typeof listen === 'string') return usageError(io, 'serve', HELP, listen);
  const warnings: string[] = [];
  const first = loadOrReport(io, file, (w) => warnings.push(w));
  if (!first) return EXIT.usage;
  const foreign = foreignStateDir(first.stateDir, 'serve');
  if (foreign) {
    io.stderr(`whauto serve: ${foreign}\n`);
    return EXIT.usage;
  }
  const stateError = prepareStateDir(first.stateDir);
  if (stateError) {
    io.stderr(`whauto serve: ${stateError}\n`);
    return EXIT.usage;
  }
  // One daemon per state dir: a second would read back (and run) what the first has queued.
  const takeStateDir = () => tryLock(layout.locksDir(first.stateDir), DAEMON_LOCK_KEY, { entry: '-', runId: 'daemon' });
  let owner = takeStateDir();
  if ('heldBy' in owner) {
    io.stderr(`whauto serve: another daemon (pid ${owner.heldBy.pid}) uses the state dir ${first.stateDir}; give each daemon its own state_dir\n`);
    return EXIT.usage;
  }
  // The state dir removed under the running daemon: made again (and taken again), or, when
  // another daemon has taken it meanwhile, a reason to stop.
  const keepStateDir = (): StateDirCheck => {
    if (!existsSync(layout.queueDir(first.stateDir))) {
      const problem = prepareStateDir(first.stateDir);
      if (problem) return { problem };
    }
    let again: ReturnType<typeof takeStateDir>;
    try {
      again = takeStateDir();
    } catch (err) {
      return { problem: (err as Error).message };
    }
    // Held by this very process: all is as it was.
    if ('heldBy' in again) return again.heldBy.pid === process.pid ? 'ok' : { problem: `another daemon (pid ${again.heldBy.pid}) took the state dir` };
    owner = again;
    return 'made again';
  };
  // Log lines of one event-loop turn go out in one write (see lineBuffer).
  const logLines = lineBuffer((text) => io.stdout(text));
  try {
    return await serveWith(io, first, listen ?? first.listen, warnings, logLines.write, keepStateDir);
  } finally {
    logLines.close();
    if (!('heldBy' in owner)) owner.release();
  }
}

/** What a look at the state dir found: all there, made again after it was removed, or a problem. */
type StateDirCheck = 'ok' | 'made again' | { problem: string };

/** ms between looks at whether the state dir is still there and still this daemon's. */
const STATE_DIR_CHECK_MS = 1000;

/** The --listen value as the settings' listen would read it, or what is wrong with it. */
function listenOption(text: string): { host: string; port: number } | string {
  const where = parseListen(text);
  if (where === null) return `--listen ${text} is not HOST:PORT (like 127.0.0.1:5000 or [::1]:5000)`;
  const away = notOnThisMachine(where.host);
  return away === null ? where : `--listen: ${away}`;
}

/** Serves `first` (the settings file as loaded at start) on `listen` (its own, or --listen's). */
async function serveWith(io: Io, first: Settings, listen: Settings['listen'], warnings: string[], writeLog: (line: string) => void, keepStateDir: () => StateDirCheck): Promise<number> {
  let settings: Settings = { ...first, listen };
  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat, write: writeLog });
  // What `check` warns about (an entry anyone may trigger, a world-readable secret) is said at start too.
  for (const w of warnings) logger.warn('settings warning', { finding: w });

  // A run printing 50 MB must not flood the daemon log: the same cap as the run's own log.
  const output = outputCap(logger, () => settings.maxLog);
  const metrics = createMetrics(VERSION);
  // Notifications and commit statuses go beside the queue: no run waits for them.
  const notifier = createNotifier({ logger, onOutcome: (o) => metrics.countNotify(o) });
  const queue = new Queue({
    stateDir: settings.stateDir,
    maxLog: settings.maxLog,
    keepRuns: settings.keepRuns,
    logger,
    workers: settings.workers,
    entry: (name) => settings.entries.find((e) => e.name === name) ?? null,
    onLine: (req, line) => output.line(req.id, req.entry.name, line),
    observer: notifier,
  });
  queue.on('finish', (r: { id: string }) => output.done(r.id));
  queue.on('finish', (record: RunRecord) => metrics.countRun(record));
  queue.recover(settings.entries);
  const poller = new Poller({ stateDir: settings.stateDir, logger, queue, onPolled: (entry, result) => metrics.countPoll(entry, result) }, settings.entries);
  const web = createWebhookServer(settings, queue, logger, metrics, (entry, target, commit) => poller.queuedRun(entry, target, commit));
  // Runs that `whauto trigger` and `whauto rollback` start show in this log too.
  const outside = new OutsideRuns(settings.stateDir, logger, () => settings.entries.map((e) => e.name));

  try {
    await new Promise<void>((resolve, reject) => {
      web.server.once('error', reject);
      web.server.listen(settings.listen.port, settings.listen.host, () => {
        web.server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    io.stderr(`whauto serve: cannot listen on ${settings.listen.host}:${settings.listen.port}: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  const addr = web.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  logger.info('listening', { url: `http://${host}:${addr.port}${settings.webhookUrlPath}`, entries: settings.entries.length, state_dir: settings.stateDir, pid: process.pid });
  outside.look();
  poller.start();

  return new Promise<number>((resolveExit) => {
    const reload = (): void => {
      const { settings: next, findings } = loadSettings(settings.file, io.env);
      if (!next) {
        for (const f of findings.filter((x) => x.level === 'error')) logger.error('reload refused', { finding: formatFinding(f) });
        logger.error('settings not reloaded: the file does not validate; the old settings stay');
        return;
      }
      // Compared with the file as it was at start: a --listen that differs from it is no change.
      for (const [key, name] of [['listen', 'listen'], ['stateDir', 'state_dir'], ['workers', 'workers']] as const) {
        if (JSON.stringify(next[key]) !== JSON.stringify(first[key])) logger.warn('a changed setting needs a restart', { setting: name });
      }
      settings = { ...next, listen: settings.listen, stateDir: settings.stateDir, workers: settings.workers };
      web.reload(settings);
      logger.info('settings reloaded', { entries: settings.entries.length });
      queue.settingsChanged();
      poller.reload(settings.entries);
      logger.reconfigure({ level: settings.logLevel, format: settings.logFormat });
    };
    let stopping = false;
    let exitCode: number = EXIT.ok;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal, timeout_ms: settings.shutdownTimeout });
      // First: no poll queues a run from now on.
      poller.stop();
      web.stopAccepting();
      const since = Date.now();
      // What the notifications still need gets what the runs left of shutdown_timeout; the rest is said in the log.
      queue.drain(settings.shutdownTimeout).then(() => notifier.settle({ timeoutMs: Math.max(0, settings.shutdownTimeout - (Date.now() - since)) })).then(() => {
        web.server.close();
        web.server.closeAllConnections();
        process.off('SIGHUP', reload);
        clearInterval(watch);
        outside.close();
        logger.info('stopped');
        resolveExit(exitCode);
      }, (err: unknown) => {
        logger.error('shutdown failed', { error: String(err) });
        resolveExit(EXIT.failed);
      });
    };
    // A second SIGTERM/SIGINT while draining interrupts the runs now (still recorded, groups killed).
    const onSignal = (signal: string): void => {
      if (!stopping) return stop(signal);
      logger.warn('second signal: interrupting running runs now', { signal });
      queue.hurry();
    };
    const watch = setInterval(() => {
      if (stopping) return;
      // A `trigger` killed while this daemon runs leaves a stale lock: its run is resumed now.
      queue.resumeCutOff();
      outside.look();
      const found = keepStateDir();
      if (found === 'made again') {
        logger.warn('the state dir was removed: made again (the history of finished runs is gone; waiting and running runs are written again)', { state_dir: settings.stateDir });
        queue.relock();
      } else if (found !== 'ok') {
        logger.error('the state dir is lost; stopping', { state_dir: settings.stateDir, error: found.problem });
        exitCode = EXIT.failed;
        stop('state dir lost');
      }
    }, STATE_DIR_CHECK_MS);
    watch.unref();
    process.on('SIGHUP', reload);
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  });
}
