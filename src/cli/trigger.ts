import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ownIdentity } from '../exec/process-alive.ts';
import { lineBuffer } from '../log/line-buffer.ts';
import { createLogger } from '../log/logger.ts';
import { checkoutKey } from '../checkouts/checkout-key.ts';
import { tryLock } from '../checkouts/lock.ts';
import { ahead, waiters, waitingTriggers } from '../checkouts/turns.ts';
import { runOne } from '../queue/run-one.ts';
import { createNotifier } from '../notify/notifier.ts';
import { takeOver } from '../queue/recover.ts';
import { dryRun } from '../runs/dry-run.ts';
import type { RunRequest } from '../runs/types.ts';
import type { Target } from '../model/target.ts';
import { defaultBranch, whyNotDeployed } from '../model/deploys.ts';
import { stateDirProblem } from '../settings/state-dir.ts';
import type { Entry } from '../settings/types.ts';
import { layout } from '../state/layout.ts';
import { newRunId } from '../model/run-id.ts';
import { noteWaiting } from '../state/waiting.ts';
import { argsError, EXIT, positionalsProblem, usageError, type Io } from './io.ts';
import { entryOrReport, foreignStateDir, loadOrReport, prepareStateDir } from './load.ts';

const HELP = `usage: whauto trigger SETTINGS ENTRY [--dry-run] [--no-wait] [--branch NAME | --tag NAME]

Runs ENTRY now, in the foreground, exactly as a webhook run would (trigger 'manual'),
streaming its output. Waits while another run holds the same checkout (in the daemon or
another trigger), first come, first served; settings changed meanwhile are read again.
Exit: 0 succeeded, 1 failed, 2 usage or invalid settings (also when they changed while it
waited and no longer deploy what was asked), 75 --no-wait and the checkout is busy.

  --dry-run        run nothing and change no ref or file; print the remote tip that would
                   deploy, every command, and why the git step would fail (exit 1)
  --no-wait        exit 75 at once when the checkout is busy
  --branch NAME    the branch to deploy (default: the entry's branch); it must be one the
                   entry deploys (for entries with globs like release/*)
  --tag NAME       deploy this tag instead (the entry's tags setting must allow it)
`;

const POLL_MS = 250;

/**
 * What a manual run deploys: the entry's own branch, or the --branch/--tag asked for, which
 * must be one the entry would deploy from a webhook too. Returns the target or why not.
 */
function chooseTarget(entry: Entry, branch: string | undefined, tag: string | undefined): Target | string {
  if (branch !== undefined && tag !== undefined) return 'give --branch or --tag, not both';
  const name = tag ?? branch;
  if (name !== undefined && !/^[^-\s][^\s]*$/.test(name)) return `'${name}' is not a usable ${tag !== undefined ? 'tag' : 'branch'} name`;
  if (tag !== undefined) return whyNotDeployed(entry, 'tag', tag) ?? { kind: 'tag', name: tag };
  if (branch !== undefined) return whyNotDeployed(entry, 'branch', branch) ?? { kind: 'branch', name: branch };
  const own = defaultBranch(entry);
  if (own) return { kind: 'branch', name: own };
  if (entry.branches.length === 0) return `entry '${entry.name}' deploys tags only (branch: []); give --tag NAME`;
  return `entry '${entry.name}' names no single branch (${entry.branches.join(', ')}); give --branch NAME`;
}

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

/** `whauto trigger SETTINGS ENTRY`: returns the exit code. */
export async function runTrigger(io: Io, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' }, 'dry-run': { type: 'boolean' }, 'no-wait': { type: 'boolean' },
        branch: { type: 'string' }, tag: { type: 'string' },
      },
    });
  } catch (err) {
    return usageError(io, 'trigger', HELP, argsError(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const problem = positionalsProblem(positionals, ['SETTINGS', 'ENTRY']);
  if (problem) return usageError(io, 'trigger', HELP, problem);
  // It verifies no delivery: a secret it cannot read (CREDENTIALS_DIRECTORY outside systemd) does not matter.
  const settings = loadOrReport(io, positionals[0]!, undefined, { readSecrets: false });
  if (!settings) return EXIT.usage;
  const entry = entryOrReport(io, 'trigger', settings, positionals[1]!);
  if (!entry) return EXIT.usage;
  const target = chooseTarget(entry, values.branch, values.tag);
  if (typeof target === 'string') {
    io.stderr(`whauto trigger: ${target}\n`);
    return EXIT.usage;
  }
  const req: RunRequest = { id: newRunId(), entry, trigger: 'manual', target, deliveries: [], payloadFile: null };
  if (values['dry-run']) {
    const { lines, problem } = await dryRun(req);
    for (const line of lines) io.stdout(line + '\n');
    // What the real trigger checks first, with this user's rights: it would not start at all.
    const unusable = foreignStateDir(settings.stateDir, 'trigger') ?? stateDirProblem(settings.stateDir);
    if (unusable) {
      io.stderr(`whauto trigger: dry run: the run would not start: ${unusable}\n`);
      return EXIT.failed;
    }
    if (!problem) return EXIT.ok;
    // As the run itself would: it fails at its git step.
    io.stderr(`whauto trigger: dry run: the run would fail: ${problem}\n`);
    return EXIT.failed;
  }

  const foreign = foreignStateDir(settings.stateDir, 'trigger');
  if (foreign) {
    io.stderr(`whauto trigger: ${foreign}\n`);
    return EXIT.usage;
  }
  const stateError = prepareStateDir(settings.stateDir);
  if (stateError) {
    io.stderr(`whauto trigger: ${stateError}\n`);
    return EXIT.usage;
  }
  const key = checkoutKey(entry);
  let lock = tryLock(layout.locksDir(settings.stateDir), key, { entry: entry.name, runId: req.id });
  if ('heldBy' in lock) {
    if (values['no-wait']) {
      io.stderr(`whauto trigger: checkout ${key} is busy (run ${lock.heldBy.runId} of entry ${lock.heldBy.entry}, pid ${lock.heldBy.pid})\n`);
      return EXIT.busy;
    }
    // No run record until it runs: this record is what shows the wait in status.
    waitingTriggers(settings.stateDir, true); // sweeps the records of triggers killed while they waited
    const since = new Date().toISOString();
    const stamp = fileStamp(settings.file);
    const done = noteWaiting(settings.stateDir, { id: req.id, entry: entry.name, target: req.target, key, pid: process.pid, ...ownIdentity(), since });
    // Ctrl-C while waiting: the record goes, then the signal does what it would have done.
    const onStop = (signal: NodeJS.Signals): void => {
      done();
      process.off('SIGINT', onStop);
      process.off('SIGTERM', onStop);
      process.kill(process.pid, signal);
    };
    process.once('SIGINT', onStop);
    process.once('SIGTERM', onStop);
    io.stderr(`whauto trigger: waiting for run ${lock.heldBy.runId} of entry ${lock.heldBy.entry} (pid ${lock.heldBy.pid}) to finish\n`);
    // The entries on this checkout: only their runs can wait ahead of this one.
    const onKey = new Set(settings.entries.filter((e) => checkoutKey(e) === key).map((e) => e.name));
    const me = { id: req.id, key, since };
    try {
      while ('heldBy' in lock) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        // First come, first served: whoever began waiting for this checkout before goes first.
        if (ahead(waiters(settings.stateDir, (name) => (onKey.has(name) ? key : undefined), { sweep: true }), me).length > 0) continue;
        lock = tryLock(layout.locksDir(settings.stateDir), key, { entry: entry.name, runId: req.id });
      }
    } finally {
      done();
      process.off('SIGINT', onStop);
      process.off('SIGTERM', onStop);
    }
    // The settings changed while it waited: the run takes them as they are now, and stops
    // when they no longer deploy what was asked.
    if (fileStamp(settings.file) !== stamp) {
      const why = takeNewSettings(io, settings.file, req, key);
      if (why) {
        lock.release();
        io.stderr(`whauto trigger: the settings changed while this run waited: ${why}; nothing was run\n`);
        return EXIT.usage;
      }
      io.stderr('whauto trigger: the settings changed while this run waited: it runs with them as they are now\n');
    }
  }

  if (lock.tookOver) {
    io.stderr(`whauto trigger: took over the stale lock of run ${lock.tookOver.runId} (process ${lock.tookOver.pid} is gone)\n`);
    // That run may have left processes in the checkout: they go before this run starts; and
    // this run deploys what it did, so the daemon need not run it again.
    const dead = lock.tookOver;
    const { ended, replaced } = await takeOver(settings.stateDir, dead, entry.name, req.target, `manual run ${req.id}`);
    if (ended > 0) io.stderr(`whauto trigger: ended ${ended} process${ended === 1 ? '' : 'es'} that run left running\n`);
    if (replaced) io.stderr(`whauto trigger: run ${dead.runId} was cut off; this run deploys ${req.target.name} after it, so it is recorded interrupted and not run again\n`);
  }
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The command's lines of one turn in one write (a line per write is slow for big output).
  const output = lineBuffer(io.stdout);
  try {
    const logger = createLogger({ level: settings.logLevel, format: settings.logFormat, write: io.stderr });
    const notifier = createNotifier({ logger });
    const record = await runOne(req, {
      stateDir: settings.stateDir, maxLog: settings.maxLog, keepRuns: settings.keepRuns, logger,
      onLine: (_req, line) => output.write(line + '\n'), observer: notifier,
    }, { signal: abort.signal });
    output.close();
    // This run's notifications go out before the command ends, bounded by their tries' timeouts; a Ctrl-C
    // stops them (after one that interrupted the run, the next ends the command as Ctrl-C does).
    await notifier.settle(abort.signal.aborted ? {} : { signal: abort.signal });
    io.stderr(`whauto trigger: run ${record.id} ${record.result}${record.message ? `: ${record.message}` : ''}\n`);
    return record.result === 'succeeded' ? EXIT.ok : EXIT.failed;
  } finally {
    output.close();
    lock.release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
