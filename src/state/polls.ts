import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { POLL_RESULTS, type PollResult } from '../model/names.ts';
import type { Target } from '../model/target.ts';
import { layout } from './layout.ts';
import { readJsonState, type OnCorrupt } from './read-json.ts';

/**
 * What polling one entry's remote found last, `polls/<entry>.json`: what `status` shows, and
 * what the daemon remembers across a restart (the tips it saw, so a tip it already acted on is
 * not deployed again). Not durable: a crash loses at most the last poll, which the next repeats.
 */
export interface PollState {
  entry: string;
  /** ms between polls as the settings said when it was written. */
  everyMs: number;
  /** The remote asked, credentials hidden; null: none could be found. */
  remote: string | null;
  /** The last poll: ISO time, how it went, one line saying what it found, the run it queued. */
  last: { at: string; result: PollResult; message: string; run: string | null } | null;
  /** ISO time of the next poll (while a daemon runs). */
  next: string;
  /** ISO time of the first of the polls that failed in a row; null: the last one went through. */
  failingSince: string | null;
  /** Polls failed in a row. */
  failures: number;
  /** The branches and tags the entry deploys as the last poll that went through saw them (full ref → commit); null: none yet. */
  refs: Record<string, string> | null;
  /** The newest run a poll queued, and for what: a delivery of that commit is not run again. */
  queued: { run: string; target: Target; commit: string } | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why `v` is no poll state of `entry`, or null. */
function checkPollState(entry: string): (v: Record<string, unknown>) => string | null {
  return (v) => {
    if (v['entry'] !== entry) return `entry is not '${entry}'`;
    if (typeof v['everyMs'] !== 'number' || typeof v['next'] !== 'string' || typeof v['failures'] !== 'number') return 'not a poll state';
    const last = v['last'];
    if (last !== null && (!isObj(last) || !(POLL_RESULTS as readonly string[]).includes(last['result'] as string) || typeof last['at'] !== 'string')) return 'last is not a poll';
    if (v['refs'] !== null && !isObj(v['refs'])) return 'refs is not a map';
    if (v['queued'] !== null && (!isObj(v['queued']) || typeof v['queued']['commit'] !== 'string')) return 'queued is not a run';
    return null;
  };
}

/**
 * The poll state of `entry`, or null when there is none. A corrupt file is reported through
 * `onCorrupt` and set aside (left in place with `setAside: false`).
 */
export function readPollState(stateDir: string, entry: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): PollState | null {
  return readJsonState<PollState>(stateDir, layout.pollState(stateDir, entry), onCorrupt, { ...opts, check: checkPollState(entry) });
}

/** Writes `state` atomically (a temp file and a rename, no fsync). Throws on I/O errors. */
export function savePollState(stateDir: string, state: PollState): void {
  const file = layout.pollState(stateDir, state.entry);
  mkdirSync(layout.pollsDir(stateDir), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o640 });
  renameSync(tmp, file);
}

/** Removes the poll state of `entry` (it no longer polls); a missing file is fine. */
export function removePollState(stateDir: string, entry: string): void {
  try {
    unlinkSync(layout.pollState(stateDir, entry));
  } catch {
    // not there
  }
}
