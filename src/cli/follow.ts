import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { processAlive } from '../exec/process-alive.ts';
import { showControls } from '../log/logger.ts';
import type { RunRecord } from '../model/run-record.ts';
import { waitingTriggers } from '../checkouts/turns.ts';
import { layout } from '../state/layout.ts';
import { listPending } from '../state/pending.ts';
import { readJsonState } from '../state/read-json.ts';
import { listRuns } from '../state/runs.ts';
import { checkRun } from '../state/shape.ts';
import { EXIT, type Io } from './io.ts';

/** ms between looks at the log and the record while following. */
const LOOK_MS = 100;
/** The exit code of a follow Ctrl-C ended (128 + SIGINT), as a shell reports it. */
const INTERRUPTED = 130;
/** Bytes read from the log at a time. */
const CHUNK = 64 * 1024;

/** What following needs: the state dir, the entry, the run asked for (none: the running or next one), how long to wait for one to start (ms; null: for good). */
interface FollowRequest {
  stateDir: string;
  entry: string;
  run: string | undefined;
  timeoutMs: number | null;
}

/**
 * `whauto status SETTINGS ENTRY --log --follow [RUN]`: prints the run's log so far, then each
 * line as it is written, until the run ends; returns 0 when it succeeded, 1 when not (failed,
 * timed out, interrupted, cut off). Without RUN: the entry's running run, else the next one to
 * start (at most `timeoutMs`: then 75). RUN may be a run that waits (the daemon's, or a
 * `whauto trigger`'s). Ctrl-C ends the follow with 130; the run goes on. Only reads the state dir.
 */
export async function followRun(io: Io, req: FollowRequest): Promise<number> {
  let interrupted = false;
  let wake: (() => void) | null = null;
  const onInt = (): void => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onInt);
  const pause = (): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(resolve, LOOK_MS);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });
  try {
    const found = await findRun(io, req, pause, () => interrupted);
    if (typeof found === 'number') return interrupted ? INTERRUPTED : found;
    return await tail(io, req, found, pause, () => interrupted);
  } finally {
    process.off('SIGINT', onInt);
  }
}

function readRun(stateDir: string, entry: string, id: string): RunRecord | null {
  return readJsonState<RunRecord>(stateDir, layout.runRecord(stateDir, entry, id), () => undefined, { setAside: false, check: checkRun(entry, id) });
}

/** The ids of the records of `entry` there are now. */
function recordIds(stateDir: string, entry: string): Set<string> {
  try {
    return new Set(readdirSync(layout.runsDir(stateDir, entry)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -'.json'.length)));
  } catch {
    return new Set();
  }
}

/** The run to follow once it has a record, or the exit code when there is none to follow. */
async function findRun(io: Io, req: FollowRequest, pause: () => Promise<void>, stopped: () => boolean): Promise<RunRecord | number> {
  const { stateDir, entry } = req;
  let pick: () => RunRecord | null;
  let waitingFor: string;
  // For a run asked for by id: whether it still waits (a reload may drop a waiting run).
  let gone: () => boolean = () => false;
  if (req.run !== undefined) {
    const id = req.run;
    const now = readRun(stateDir, entry, id);
    if (now) return now;
    const stillWaits = (): boolean => listPending(stateDir, () => undefined, { setAside: false }).some((p) => p.entry === entry && p.id === id) ||
      waitingTriggers(stateDir, false).some((t) => t.entry === entry && t.id === id);
    // Its record is read again after the look: a run that started meanwhile has one.
    gone = () => !stillWaits() && readRun(stateDir, entry, id) === null;
    if (!stillWaits()) {
      io.stderr(`whauto status: no run '${showControls(id)}' of entry '${entry}' (none waits or ran; a waiting run the settings no ` +
        'longer deploy is dropped at a reload, which the daemon\'s log says: "waiting run dropped")\n');
      return EXIT.usage;
    }
    pick = () => readRun(stateDir, entry, id);
    waitingFor = `run ${id} waits to start`;
  } else {
    const running = listRuns(stateDir, entry, () => undefined, { setAside: false }).find((r) => r.result === 'running' && processAlive(r.pid, r.identity));
    if (running) return running;
    const before = recordIds(stateDir, entry);
    pick = () => {
      const fresh = [...recordIds(stateDir, entry)].filter((id) => !before.has(id)).sort();
      for (const id of fresh) {
        const r = readRun(stateDir, entry, id);
        if (r) return r;
      }
      return null;
    };
    waitingFor = `no run of entry '${entry}' runs`;
  }
  io.stderr(`whauto status: ${waitingFor}; waiting for it to start${req.timeoutMs === null ? '' : ` (at most ${Math.round(req.timeoutMs / 1000)}s)`}\n`);
  const end = req.timeoutMs === null ? Infinity : Date.now() + req.timeoutMs;
  while (!stopped()) {
    const r = pick();
    if (r) return r;
    if (gone()) {
      io.stderr(`whauto status: run ${req.run} of entry '${entry}' no longer waits and never started (dropped: see the daemon's log)\n`);
      return EXIT.failed;
    }
    if (Date.now() >= end) {
      io.stderr(`whauto status: no run of entry '${entry}' started within ${Math.round(req.timeoutMs! / 1000)}s\n`);
      return EXIT.busy;
    }
    await pause();
  }
  return INTERRUPTED;
}

/** Prints `run`'s log from the start, then what is added, until its record says it ended; the exit code. */
async function tail(io: Io, req: FollowRequest, run: RunRecord, pause: () => Promise<void>, stopped: () => boolean): Promise<number> {
  let offset = 0;
  let partial = Buffer.alloc(0);
  // A terminal would act on escape sequences in the output (a pusher's name can hold them); a pipe gets the bytes.
  const out = (bytes: Buffer): void => {
    if (bytes.length > 0) io.stdout(io.stdoutIsTerminal ? showControls(bytes.toString('utf8')) : bytes);
  };
  /** Reads what was added to the log; prints the whole lines (all of it at the end). */
  const readMore = (atEnd: boolean): void => {
    let fd: number;
    try {
      fd = openSync(run.logFile, 'r');
    } catch {
      return; // not written yet, or removed: looked at again
    }
    try {
      const size = fstatSync(fd).size;
      // A log made again (removed while the run went on): from its start.
      if (size < offset) offset = 0;
      const buf = Buffer.alloc(CHUNK);
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, offset);
        if (n <= 0) break;
        offset += n;
        const chunk = Buffer.concat([partial, buf.subarray(0, n)]);
        const cut = chunk.lastIndexOf(0x0a) + 1;
        out(chunk.subarray(0, cut));
        partial = Buffer.from(chunk.subarray(cut));
      }
    } finally {
      closeSync(fd);
    }
    if (atEnd) {
      out(partial);
      partial = Buffer.alloc(0);
    }
  };
  while (!stopped()) {
    // The record first: once it says the run ended, the log is complete (it is closed before).
    const r = readRun(req.stateDir, req.entry, run.id) ?? run;
    const cutOff = r.result === 'running' && !processAlive(r.pid, r.identity);
    const ended = r.result !== 'running' || cutOff;
    readMore(ended);
    if (ended) {
      const result = cutOff ? `was cut off (its process ${r.pid} is gone)` : r.result;
      io.stderr(`whauto status: run ${r.id} ${result}${r.message && !cutOff ? `: ${r.message}` : ''}\n`);
      return r.result === 'succeeded' ? EXIT.ok : EXIT.failed;
    }
    await pause();
  }
  return INTERRUPTED;
}
