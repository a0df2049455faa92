import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { ownIdentity, processAlive as alive } from '../exec/process-alive.ts';
import { readRegularFile } from '../state/read-json.ts';

/** What a lock file holds: who owns the checkout now. */
export interface LockOwner {
  pid: number;
  /** Which process had the pid (see processIdentity); absent in lock files of older versions. */
  identity?: string;
  entry: string;
  runId: string;
  since: string;
}

function lockFile(locksDir: string, key: string): string {
  return join(locksDir, `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.lock`);
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readRegularFile(file).toString('utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/**
 * Tries once to take the lock of checkout `key` (a real path) in `locksDir`, across processes:
 * the file is created with O_EXCL. A lock whose owner process is gone (or that is unreadable,
 * or whose pid another process has now: see processIdentity) is taken over (`tookOver`
 * names its dead owner, for the log). Returns a release function, or
 * the current owner when another live process (or this process) holds it. Throws on I/O errors other than EEXIST.
 */
export function tryLock(locksDir: string, key: string, owner: Omit<LockOwner, 'pid' | 'since'>): { release: () => void; tookOver: LockOwner | null } | { heldBy: LockOwner } {
  mkdirSync(locksDir, { recursive: true });
  const file = lockFile(locksDir, key);
  const me: LockOwner = { pid: process.pid, ...ownIdentity(), since: new Date().toISOString(), ...owner };
  let tookOver: LockOwner | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try { writeSync(fd, JSON.stringify(me)); } finally { closeSync(fd); }
      return {
        tookOver,
        release: () => {
          const now = readOwner(file);
          if (now && now.pid === me.pid && now.runId === me.runId) {
            try { unlinkSync(file); } catch { /* gone */ }
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = readOwner(file);
    if (held && typeof held.pid === 'number' && alive(held.pid, held.identity)) return { heldBy: held };
    tookOver = held ?? { pid: 0, entry: '?', runId: '?', since: '' };
    // Stale: move it aside under a unique name so that of two processes taking over, one wins.
    const stale = `${file}.stale-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(file, stale);
      const moved = readOwner(stale);
      // Another taker may have put a live lock there between our read and our rename: give it back.
      if (moved && typeof moved.pid === 'number' && alive(moved.pid, moved.identity)) linkSync(stale, file);
      unlinkSync(stale);
    } catch { /* the other taker won the rename */ }
  }
  const held = readOwner(file);
  return { heldBy: held ?? { pid: 0, entry: '?', runId: '?', since: '' } };
}

/**
 * The lock key a daemon takes on its state dir (one daemon per state dir). The locks folder
 * is the state dir's own, so the key holds no path: two spellings of one state dir (through
 * a symlink) take the same lock.
 */
export const DAEMON_LOCK_KEY = 'daemon';

/** The live owner of lock `key` in `locksDir`, or null (free, stale or unreadable). Only reads. */
export function lockHolder(locksDir: string, key: string): LockOwner | null {
  const held = readOwner(lockFile(locksDir, key));
  return held && typeof held.pid === 'number' && alive(held.pid, held.identity) ? held : null;
}

/**
 * The owners named by the lock files in `locksDir` whose process is gone: their runs were cut
 * off (a `trigger` killed while a daemon runs). Unreadable files are skipped. A few small
 * reads; for a daemon that looks now and then.
 */
export function staleLocks(locksDir: string): LockOwner[] {
  let names: string[];
  try {
    names = readdirSync(locksDir).filter((n) => n.endsWith('.lock'));
  } catch {
    return [];
  }
  const out: LockOwner[] = [];
  for (const name of names) {
    const owner = readOwner(join(locksDir, name));
    if (owner && typeof owner.pid === 'number' && !alive(owner.pid, owner.identity)) out.push(owner);
  }
  return out;
}
