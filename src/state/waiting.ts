import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Target } from '../model/target.ts';
import { layout } from './layout.ts';
import { readRegularFile } from './read-json.ts';
import { byCodeUnit } from './order.ts';

/**
 * A `whauto trigger` waiting for a busy checkout: it has no run record until it runs, so this
 * file, `waiting/<id>.json`, is what lets `status` show it. Not durable (a trigger that dies
 * while it waits leaves nothing owed): written plainly, removed when the wait ends.
 */
interface WaitingTrigger {
  /** The run id the trigger will use. */
  id: string;
  entry: string;
  /** What it deploys. */
  target: Target;
  /** The checkout it waits for (checkoutKey): the daemon lets it go first. */
  key: string;
  pid: number;
  /** Which process had the pid (see processIdentity), when it could be read. */
  identity?: string;
  /** ISO time the wait began. */
  since: string;
}

/**
 * Records that `waiting` waits; returns a function that removes the record (safe to call
 * twice). A record that cannot be written is left out: status then misses it, the trigger
 * still waits and runs.
 */
export function noteWaiting(stateDir: string, waiting: WaitingTrigger): () => void {
  const file = layout.waitingTrigger(stateDir, waiting.id);
  try {
    mkdirSync(layout.waitingDir(stateDir), { recursive: true });
    writeFileSync(file, JSON.stringify(waiting), { mode: 0o640 });
  } catch {
    return () => undefined;
  }
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    try {
      unlinkSync(file);
    } catch {
      // already gone (the state dir removed)
    }
  };
}

/**
 * The waiting triggers recorded in the state dir, oldest first (run ids begin with the time). `alive(pid, identity)` tells
 * which processes still wait; the records of those that do not (killed while waiting) are
 * left out and, unless `sweep` is false (read-only readers such as status), removed.
 */
export function listWaiting(stateDir: string, alive: (pid: number, identity?: string) => boolean, sweep = true): WaitingTrigger[] {
  let names: string[];
  try {
    names = readdirSync(layout.waitingDir(stateDir)).filter((n) => n.endsWith('.json')).sort(byCodeUnit);
  } catch {
    return [];
  }
  const out: WaitingTrigger[] = [];
  for (const name of names) {
    const file = layout.waitingTrigger(stateDir, name.slice(0, -'.json'.length));
    let w: WaitingTrigger;
    try {
      w = JSON.parse(readRegularFile(file).toString('utf8')) as WaitingTrigger;
      if (typeof w.pid !== 'number' || typeof w.entry !== 'string' || typeof w.id !== 'string' || typeof w.target?.name !== 'string' || typeof w.key !== 'string') throw new Error('not a waiting trigger');
    } catch {
      continue; // being written, or not ours: nothing waits on it
    }
    if (alive(w.pid, w.identity)) out.push(w);
    else if (sweep) {
      try {
        unlinkSync(file);
      } catch {
        // another process swept it
      }
    }
  }
  return out;
}
