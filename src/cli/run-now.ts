import { statSync } from 'node:fs';
import { checkoutKey } from '../checkouts/checkout-key.ts';
import { lockHolder } from '../checkouts/lock.ts';
import { takeTurn } from '../checkouts/take-turn.ts';
import { lineBuffer } from '../log/line-buffer.ts';
import { createLogger } from '../log/logger.ts';
import { whyNotDeployed } from '../model/deploys.ts';
import { createNotifier } from '../notify/notifier.ts';
import { takeOver } from '../queue/recover.ts';
import { runOne } from '../queue/run-one.ts';
import { dryRun } from '../runs/dry-run.ts';
import { stateDirProblem } from '../settings/state-dir.ts';
import { layout } from '../state/layout.ts';
import type { RunRequest } from '../runs/types.ts';
import type { Settings } from '../settings/types.ts';
import { EXIT, type Io } from './io.ts';
import { foreignStateDir, loadOrReport, prepareStateDir } from './load.ts';

/** What tells a changed file: its inode (editors write a new one), size and time. */
function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'gone';
  }
}

/**
 * Reads the settings file again into `req.entry`; returns why the run cannot go on with it
 * (the file does not validate, the entry is gone, no longer deploys req.target, or now uses
 * another checkout than the locked `key`), or null.
 */
function takeNewSettings(io: Io, file: string, req: RunRequest, key: string): string | null {
  const now = loadOrReport(io, file, undefined, { readSecrets: false });
  if (!now) return 'they do not validate (above)';
  const entry = now.entries.find((e) => e.name === req.entry.name);
  if (!entry) return `entry '${req.entry.name}' is gone`;
  const why = whyNotDeployed(entry, req.target.kind, req.target.name);
  if (why) return why;
  if (checkoutKey(entry) !== key) return `entry '${entry.name}' now uses another checkout`;
  req.entry = entry;
  return null;
}

/**
 * Runs `req` now, in the foreground, for `whauto <command>` (trigger, rollback): refuses a
 * state dir of another user; takes the checkout's lock, waiting its turn unless `opts.wait` is
 * false (then exit 75 when busy); after a wait, reads the settings again (exit 2 when they no
 * longer deploy it); ends what a cut-off run on the checkout left running; `prepare`, with the
 * lock held, may settle what the run does (a rollback chooses what to go back to then) or say
 * why it cannot run (exit 2); then runs it,
 * streaming its output to stdout, its notifications sent before it returns. Returns the exit
 * code: 0 succeeded, 1 failed, 2 usage, 75 busy.
 */
export async function runNow(
  io: Io, command: 'trigger' | 'rollback', settings: Settings, req: RunRequest,
  opts: { wait: boolean; prepare?: (req: RunRequest) => Promise<string | null> },
): Promise<number> {
  const foreign = foreignStateDir(settings.stateDir, command);
  if (foreign) {
    io.stderr(`whauto ${command}: ${foreign}\n`);
    return EXIT.usage;
  }
  const stateError = prepareStateDir(settings.stateDir);
  if (stateError) {
    io.stderr(`whauto ${command}: ${stateError}\n`);
    return EXIT.usage;
  }
  const { entry } = req;
  const key = checkoutKey(entry);
  // The entries on this checkout: only their runs can wait ahead of this one.
  const onKey = new Set(settings.entries.filter((e) => checkoutKey(e) === key).map((e) => e.name));
  const stamp = fileStamp(settings.file);
  const turn = await takeTurn(settings.stateDir, { id: req.id, entry: entry.name, target: req.target, key }, {
    wait: opts.wait,
    keyOf: (name) => (onKey.has(name) ? key : undefined),
    onWait: (h) => io.stderr(`whauto ${command}: waiting for run ${h.runId} of entry ${h.entry} (pid ${h.pid}) to finish\n`),
  });
  if ('busy' in turn) {
    io.stderr(`whauto ${command}: checkout ${key} is busy (run ${turn.busy.runId} of entry ${turn.busy.entry}, pid ${turn.busy.pid})\n`);
    return EXIT.busy;
  }
  const { lock } = turn;
  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat, write: io.stderr });
  const notifier = createNotifier({ logger });
  // The settings changed while it waited: the run takes them as they are now, and stops
  // when they no longer deploy what was asked.
  if (turn.waited && fileStamp(settings.file) !== stamp) {
    const why = takeNewSettings(io, settings.file, req, key);
    if (why) {
      lock.release();
      io.stderr(`whauto ${command}: the settings changed while this run waited: ${why}; nothing was run\n`);
      return EXIT.usage;
    }
    io.stderr(`whauto ${command}: the settings changed while this run waited: it runs with them as they are now\n`);
  }

  if (lock.tookOver) {
    io.stderr(`whauto ${command}: took over the stale lock of run ${lock.tookOver.runId} (process ${lock.tookOver.pid} is gone)\n`);
    // That run may have left processes in the checkout: they go before this run starts; and
    // this run deploys what it did, so the daemon need not run it again.
    const dead = lock.tookOver;
    const { ended, replaced } = await takeOver(settings.stateDir, dead, entry.name, req.target, `${req.trigger} run ${req.id}`);
    if (ended > 0) io.stderr(`whauto ${command}: ended ${ended} process${ended === 1 ? '' : 'es'} that run left running\n`);
    if (replaced) {
      io.stderr(`whauto ${command}: run ${dead.runId} was cut off; this run deploys ${req.target.name} after it, so it is recorded interrupted and not run again\n`);
      // Its process died before it could tell: its 'interrupted' notice, and the end of a pending commit status, go now.
      notifier.onRunFinished(entry, replaced);
    }
  }
  const refused = opts.prepare ? await opts.prepare(req) : null;
  if (refused) {
    lock.release();
    io.stderr(`whauto ${command}: ${refused}\n`);
    return EXIT.usage;
  }
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The command's lines of one turn in one write (a line per write is slow for big output).
  const output = lineBuffer(io.stdout);
  try {
    const record = await runOne(req, {
      stateDir: settings.stateDir, maxLog: settings.maxLog, keepRuns: settings.keepRuns, logger,
      onLine: (_req, line) => output.write(line + '\n'), observer: notifier,
    }, { signal: abort.signal });
    output.close();
    // This run's notifications go out before the command ends, bounded by their tries' timeouts; a Ctrl-C
    // stops them (after one that interrupted the run, the next ends the command as Ctrl-C does).
    await notifier.settle(abort.signal.aborted ? {} : { signal: abort.signal });
    io.stderr(`whauto ${command}: run ${record.id} ${record.result}${record.message && record.message !== record.result ? `: ${record.message}` : ''}\n`);
    return record.result === 'succeeded' ? EXIT.ok : EXIT.failed;
  } finally {
    output.close();
    lock.release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * `whauto <command> --dry-run`: prints what running `req` would do (dryRun) and returns 0, or
 * 1 when the run would not start (a state dir it may not use) or would fail at its git step,
 * or with `wait` false (--no-wait) 75 when the checkout is busy now, as the real command would.
 */
export async function dryRunNow(io: Io, command: 'trigger' | 'rollback', settings: Settings, req: RunRequest, opts: { wait: boolean }): Promise<number> {
  const { lines, problem } = await dryRun(req);
  for (const line of lines) io.stdout(line + '\n');
  const key = checkoutKey(req.entry);
  const holder = opts.wait ? null : lockHolder(layout.locksDir(settings.stateDir), key);
  if (holder) {
    io.stderr(`whauto ${command}: dry run: checkout ${key} is busy (run ${holder.runId} of entry ${holder.entry}, pid ${holder.pid}): --no-wait would exit 75\n`);
    return EXIT.busy;
  }
  // What the real command checks first, with this user's rights: it would not start at all.
  const unusable = foreignStateDir(settings.stateDir, command) ?? stateDirProblem(settings.stateDir);
  // Else as the run itself would: it fails at its git step.
  const why = unusable ? `the run would not start: ${unusable}` : problem ? `the run would fail: ${problem}` : null;
  if (why) io.stderr(`whauto ${command}: dry run: ${why}\n`);
  return why ? EXIT.failed : EXIT.ok;
}
