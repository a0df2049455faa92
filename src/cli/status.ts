import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { processAlive as alive } from '../exec/process-alive.ts';
import { showControls } from '../log/logger.ts';
import { checkoutKey } from '../checkouts/checkout-key.ts';
import { staleLocks } from '../checkouts/lock.ts';
import { ahead, daemonUp, holders, waiters, type Waiter } from '../checkouts/turns.ts';
import { runWaitsFor, triggerWaitsFor } from '../checkouts/waits-for.ts';
import type { PollResult } from '../model/names.ts';
import type { RunRecord } from '../model/run-record.ts';
import type { Entry } from '../settings/types.ts';
import { layout } from '../state/layout.ts';
import { listPending, type PendingRun } from '../state/pending.ts';
import { readRegularFile } from '../state/read-json.ts';
import { readRun, recentRuns, runIds } from '../state/runs.ts';
import { parseDuration } from '../settings/duration.ts';
import { readPollState, type PollState } from '../state/polls.ts';
import { formatDuration } from '../log/format-duration.ts';
import { followRun } from './follow.ts';
import { deploysText, releaseRows, rollbackInEffect } from './status-deploys.ts';
import { argsError, EXIT, positionalsProblem, usageError, type Io } from './io.ts';
import { loadOrReport } from './load.ts';

/** Finished runs read for a rollback in effect and the releases' results, whatever --runs shows. */
const RECENT = 20;

const HELP = `usage: whauto status SETTINGS [ENTRY] [--json] [--runs N]
       whauto status SETTINGS ENTRY --log [RUN] [--follow [--timeout DURATION]]

Shows, per entry, what runs now (since when, which step), what waits, a rollback in effect
("rolled back to X (was Y)" until the next deploy), for update: release the releases on disk
(id, commit, result, subject; * marks the live one), the last runs (id, trigger, result,
the commit it deployed or set out to deploy, duration, age) with where each log is, and for
an entry that polls, its last poll and the next. In --json a run's commit is where the
checkout stood when it ended (what HEAD is), target_commit the one it set out to deploy. Reads the state dir, so it works whether the daemon runs or not. --log prints a
run's log (the last by default).

  --follow            print the run's log as it is written, until the run ends: exit 0 when
                      it succeeded, 1 when not. Without RUN: the running run, or the entry's
                      next run to start. Ctrl-C stops following (exit 130); the run goes on.
  --timeout DURATION  how long --follow waits for a run to start (30s, 10m); exit 75 when
                      none did. Default: as long as it takes
`;

/** The first of `ids` (newest first) whose record reads, reading no more than it must. */
function newestReadable(ids: string[], read: (id: string) => RunRecord | null): RunRecord | null {
  for (const id of ids) {
    const r = read(id);
    if (r) return r;
  }
  return null;
}

/** The error code when folder `dir` exists but cannot be listed (EACCES…); null when it lists or is not there. */
function unreadable(dir: string): string | null {
  try {
    readdirSync(dir);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? null : code;
  }
}

/**
 * "<file> (<code>)" when the first record (*.json) listed in `dir` is one this user cannot
 * read (run records are 0600, all of one owner: one says it for all), else null.
 */
function unreadableFileIn(dir: string): string | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  const first = names.find((n) => n.endsWith('.json'));
  return first === undefined ? null : unreadableFile(join(dir, first));
}

/** "<file> (<code>)" when `file` exists and this user cannot read it, else null. */
function unreadableFile(file: string): string | null {
  try {
    accessSync(file, constants.R_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? null : `${file} (${code})`;
  }
}

function age(iso: string, now: number): string {
  return `${roughly((now - Date.parse(iso)) / 1000)} ago`;
}

/** `48s`, `65m`, `5h`, `3d`: `seconds` in the unit a person reads at a glance. */
function roughly(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

function duration(r: RunRecord): number | null {
  if (!r.endedAt) return null;
  return Date.parse(r.endedAt) - Date.parse(r.startedAt);
}

/** What status says of an entry's polls (the daemon's poll state, if one was written). */
interface PollReport {
  every_ms: number;
  remote: string | null;
  last_at: string | null;
  last_result: PollResult | null;
  last_message: string | null;
  last_run: string | null;
  /** Polls failed in a row, and since when. */
  failed_polls: number;
  failing_since: string | null;
  /** null while no daemon runs. */
  next_at: string | null;
}

function pollReport(everyMs: number, state: PollState | null, daemonRuns: boolean): PollReport {
  return {
    every_ms: everyMs, remote: state?.remote ?? null,
    last_at: state?.last?.at ?? null, last_result: state?.last?.result ?? null, last_message: state?.last?.message ?? null, last_run: state?.last?.run ?? null,
    failed_polls: state?.failures ?? 0, failing_since: state?.failingSince ?? null,
    next_at: daemonRuns && state ? state.next : null,
  };
}

/** `every 1m: last 12s ago, current (no new commits); next in 48s` */
function pollLine(p: PollReport, now: number): string {
  const last = p.last_at === null ? 'not polled yet'
    : `last ${age(p.last_at, now)}, ${p.last_result}${p.last_message ? ` (${p.last_message})` : ''}`;
  const failing = p.failed_polls > 1 && p.failing_since ? `, ${p.failed_polls} polls failed since ${age(p.failing_since, now)}` : '';
  const next = p.next_at === null ? 'next when the daemon runs' : `next ${until(p.next_at, now)}`;
  return `every ${formatDuration(p.every_ms)}: ${last}${failing}; ${next}`;
}

/** `in 48s`, `in 3m`; `now` when due. */
function until(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  return ms <= 500 ? 'now' : `in ${roughly(ms / 1000)}`;
}

/** `whauto status`: returns the exit code (2 for a usage error or an unknown entry/run). */
export async function runStatus(io: Io, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, runs: { type: 'string' }, log: { type: 'boolean' },
        follow: { type: 'boolean' }, timeout: { type: 'string' },
      },
    });
  } catch (err) {
    return usageError(io, 'status', HELP, argsError(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  if (values.follow && !values.log) return usageError(io, 'status', HELP, '--follow goes with --log');
  if (values.timeout !== undefined && !values.follow) return usageError(io, 'status', HELP, '--timeout goes with --follow');
  const timeoutMs = values.timeout === undefined ? null : parseDuration(values.timeout);
  if (timeoutMs === null && values.timeout !== undefined) return usageError(io, 'status', HELP, `--timeout ${values.timeout} is not a duration (like 30s, 10m, or seconds)`);
  // --log prints one entry's run, so it needs ENTRY.
  const problem = values.log ? positionalsProblem(positionals, ['SETTINGS', 'ENTRY'], ['RUN']) : positionalsProblem(positionals, ['SETTINGS'], ['ENTRY']);
  if (problem) return usageError(io, 'status', HELP, problem);
  const count = values.runs === undefined ? 5 : Number(values.runs);
  if (!Number.isInteger(count) || count < 0) {
    io.stderr(`whauto status: --runs takes a whole number\n`);
    return EXIT.usage;
  }
  // It verifies no delivery: a secret it cannot read (CREDENTIALS_DIRECTORY outside systemd) does not matter.
  const settings = loadOrReport(io, positionals[0]!, undefined, { readSecrets: false });
  if (!settings) return EXIT.usage;
  const wanted = positionals[1];
  const entries = wanted === undefined ? settings.entries : settings.entries.filter((e) => e.name === wanted);
  if (entries.length === 0) {
    io.stderr(`whauto status: no entry named '${showControls(wanted ?? '')}'\n`);
    return EXIT.usage;
  }
  const problems: string[] = [];
  // status only reads: a corrupt file is reported and left for the daemon to set aside.
  const onCorrupt = (file: string, _to: string | null, why: string): void => { problems.push(`corrupt state file ${file} skipped: ${why}`); };
  const read = { setAside: false };
  const { stateDir } = settings;
  // A missing state dir only means nothing ran yet; one that is not a folder is a mistake to say.
  if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) {
    io.stderr(`whauto status: state dir ${stateDir} is not a directory\n`);
    return EXIT.usage;
  }

  // A folder it cannot read (another user's state dir: the unit's StateDirectoryMode is 0750)
  // must not look like "no runs yet".
  for (const dir of [stateDir, layout.queueDir(stateDir), layout.allRunsDir(stateDir)]) {
    const code = unreadable(dir);
    if (code) {
      io.stderr(`whauto status: cannot read ${dir} (${code}): run status as the user whauto runs as (or as root)\n`);
      return EXIT.usage;
    }
  }

  const unreadableRuns = new Map<string, string>();
  for (const e of entries) {
    const dir = layout.runsDir(stateDir, e.name);
    const code = unreadable(dir);
    const problem = (code ? `${dir} (${code})` : null) ?? unreadableFileIn(dir) ?? unreadableFile(layout.pending(stateDir, e.name));
    if (problem) unreadableRuns.set(e.name, `cannot read ${problem}`);
  }

  if (values.log) {
    const why = unreadableRuns.get(entries[0]!.name);
    if (why) {
      io.stderr(`whauto status: ${why}\n`);
      return EXIT.failed;
    }
    if (values.follow) return followRun(io, { stateDir, entry: entries[0]!.name, run: positionals[2], timeoutMs });
    const name = entries[0]!.name;
    const asked = positionals[2];
    // The run asked for, or the newest that reads.
    const run = asked !== undefined
      ? (runIds(stateDir, name).includes(asked) ? readRun(stateDir, name, asked, onCorrupt, read) : null)
      : newestReadable(runIds(stateDir, name), (id) => readRun(stateDir, name, id, onCorrupt, read));
    if (!run) {
      io.stderr(`whauto status: ${positionals[2] === undefined ? `entry '${wanted}' has no runs yet` : `no run '${showControls(positionals[2])}' of entry '${wanted}'`}\n`);
      return EXIT.usage;
    }
    try {
      const log = readRegularFile(run.logFile);
      // A terminal would act on escape sequences in the output (a pusher's name can hold them); a pipe gets the bytes.
      io.stdout(io.stdoutIsTerminal ? showControls(log.toString('utf8')) : log);
    } catch (err) {
      io.stderr(`whauto status: cannot read ${run.logFile}: ${(err as Error).message}\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  }

  // The queue folder holds every entry's pending run: only the asked-for entry's problems are said.
  const onCorruptPending = (file: string, to: string | null, why: string): void => {
    if (wanted === undefined || basename(file) === `${wanted}.json`) onCorrupt(file, to, why);
  };
  const pending = new Map(listPending(stateDir, onCorruptPending, read).map((p) => [p.entry, p]));
  const now = Date.now();
  // Each entry's running runs and newest finished ones, read once (not every record): the
  // asked-for entries' problems are said, the others' not.
  const shown = new Set(entries.map((e) => e.name));
  const runsOf = new Map(settings.entries.map((e) => [e.name, recentRuns(stateDir, e.name, shown.has(e.name) ? Math.max(count, RECENT) : 0, shown.has(e.name) ? onCorrupt : () => undefined, read)]));
  for (const [name, why] of unreadableRuns) problems.push(`${why}: entry ${name}'s runs are not shown`);
  // The runs whose record says running and whose process lives (the others were cut off), looked at once.
  const aliveOf = new Map(settings.entries.map((e) => [e.name, runsOf.get(e.name)!.running.filter((r) => alive(r.pid, r.identity))]));
  // Each entry's checkout key, found once (a realpath each).
  const keyOf = new Map(settings.entries.map((e) => [e.name, checkoutKey(e)]));
  const keyFor = (e: Entry): string => keyOf.get(e.name)!;
  // What runs now across every entry, and so who holds each checkout.
  const runningNow = settings.entries.flatMap((e) => aliveOf.get(e.name)!.map((r) => ({ key: keyFor(e), entry: e.name, id: r.id })));
  const holderOf = holders(stateDir, new Set(keyOf.values()), runningNow);
  const all = waiters(stateDir, (name) => keyOf.get(name), { sweep: false, pending: [...pending.values()] });
  const up = daemonUp(stateDir);
  // A daemon that runs resumes within a second a run cut off while it runs (a killed
  // trigger: its stale lock names the run); else the next daemon start does.
  const daemonResumes = new Set(up ? staleLocks(layout.locksDir(stateDir)).map((o) => o.runId) : []);
  // Release entries: their folders on disk (a look at the folder and one git process each).
  // A cut-off run builds its release no more: that folder is incomplete, not running.
  const builders = (e: Entry): RunRecord[] => [...aliveOf.get(e.name)!, ...runsOf.get(e.name)!.finished];
  const releasesOf = new Map(await Promise.all(entries.map(async (e) => [e.name, await releaseRows(e, builders(e))] as const)));
  const report = entries.map((entry) => {
    const runs = runsOf.get(entry.name)!;
    const running = aliveOf.get(entry.name)!;
    const cutOff = runs.running.filter((r) => !running.includes(r));
    const finished = runs.finished.slice(0, count);
    const p = pending.get(entry.name);
    const holder = holderOf.get(keyFor(entry));
    const asWaiter = (run: PendingRun): Waiter => ({ kind: 'run', id: run.id, entry: run.entry, key: keyFor(entry), since: run.acceptedAt, target: run.target });
    return {
      entry: entry.name,
      poll: entry.poll === null ? null : pollReport(entry.poll, readPollState(stateDir, entry.name, onCorrupt, read), up),
      finished_runs: runs.finishedCount,
      running: running.map((r) => ({ id: r.id, trigger: r.trigger, since: r.startedAt, step: r.step, pid: r.pid, log: r.logFile })),
      cut_off: cutOff.map((r) => ({ id: r.id, since: r.startedAt, pid: r.pid, resumed_by: daemonResumes.has(r.id) ? 'the running daemon' : 'the next daemon start' })),
      waiting: p ? { id: p.id, trigger: p.trigger, accepted_at: p.acceptedAt, deliveries: p.deliveryCount, ref: p.target.name, waits_for: runWaitsFor(asWaiter(p), {
        ownRunning: running.length > 0, holder, ahead: ahead(all.filter((w) => w.kind === 'trigger'), asWaiter(p)), busy: runningNow.length, workers: settings.workers,
      }) } : null,
      // Another entry's run (or another process) on this entry's checkout.
      checkout_in_use_by: holder && holder.entry !== entry.name ? holder : null,
      // `whauto trigger` runs waiting for the checkout (they have no record yet).
      waiting_triggers: all.filter((w) => w.kind === 'trigger' && w.entry === entry.name).map((w) => ({ id: w.id, pid: w.pid, since: w.since, ref: w.target.name, waits_for: triggerWaitsFor(w, { holder, ahead: ahead(all, w) }) })),
      runs: finished.map((r) => ({
        id: r.id, trigger: r.trigger, result: r.result, ref: r.target.name, commit: r.commit, target_commit: r.targetCommit ?? null, previous: r.previous,
        started_at: r.startedAt, duration_ms: duration(r), message: r.message, log: r.logFile, ...(r.release ? { release: r.release } : {}),
      })),
      rolled_back: rollbackInEffect(runs.finished),
      // update: release only: the release folders on disk.
      ...(releasesOf.get(entry.name) ? { releases: releasesOf.get(entry.name) } : {}),
    };
  });
  // A log removed by hand (or with the state dir) is said to be gone, not pointed at.
  const logShown = (file: string): string => (existsSync(file) ? file : `${file} (removed)`);
  if (values.json) {
    io.stdout(JSON.stringify({ state_dir: stateDir, entries: report, problems }, null, 2) + '\n');
    return EXIT.ok;
  }
  for (const p of problems) io.stderr(`whauto status: ${p}\n`);
  for (const e of report) {
    io.stdout(`${e.entry}\n`);
    // Records it cannot read would show as "idle, no runs": say so instead.
    if (unreadableRuns.has(e.entry)) {
      io.stdout('  its runs cannot be read (see above)\n');
      continue;
    }
    if (e.poll) io.stdout(`  polls    ${pollLine(e.poll, now)}\n`);
    for (const r of e.running) io.stdout(`  running  ${r.id} (${r.trigger}) since ${age(r.since, now)}, step: ${r.step ?? 'starting'}, pid ${r.pid}\n           log: ${logShown(r.log)}\n`);
    for (const r of e.cut_off) {
      const resumes = r.resumed_by === 'the running daemon'
        ? 'the daemon that runs resumes it within a second and deploys it again'
        : 'the next daemon start deploys it again';
      io.stdout(`  cut off  ${r.id}: its process ${r.pid} is gone; ${resumes} (with the waiting run, if any)\n`);
    }
    if (e.waiting) {
      const n = e.waiting.deliveries;
      io.stdout(`  waiting  ${e.waiting.id} (${e.waiting.trigger}) for ${e.waiting.ref}, ${n} ${n === 1 ? 'delivery' : 'deliveries'}, accepted ${age(e.waiting.accepted_at, now)}; waits for ${e.waiting.waits_for.text}\n`);
    }
    for (const w of e.waiting_triggers) {
      io.stdout(`  waiting  ${w.id} (manual: whauto trigger, pid ${w.pid}) for ${w.ref}, since ${age(w.since, now)}; waits for ${w.waits_for.text}\n`);
    }
    if (e.running.length === 0 && !e.waiting && e.waiting_triggers.length === 0) {
      const by = e.checkout_in_use_by;
      io.stdout(by ? `  idle; its checkout is in use by run ${by.run} of entry ${by.entry}${by.pid ? ` (pid ${by.pid})` : ''}\n` : '  idle\n');
    }
    for (const line of deploysText(e.rolled_back, e.releases ?? null)) io.stdout(`${line}\n`);
    if (e.finished_runs === 0) io.stdout('  no runs yet\n');
    for (const r of e.runs) {
      const d = r.duration_ms === null ? '?' : formatDuration(r.duration_ms);
      io.stdout(`  ${r.id}  ${r.trigger.padEnd(7)} ${r.result.padEnd(11)} ${(r.target_commit ?? r.commit ?? '-').slice(0, 10).padEnd(10)} ${d.padStart(7)}  ${age(r.started_at, now)}${r.message ? `  ${r.message}` : ''}\n`);
      io.stdout(`      log: ${logShown(r.log)}\n`);
    }
  }
  return EXIT.ok;
}
