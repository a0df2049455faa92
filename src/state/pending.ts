import { existsSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import type { DeliveryRef, Target, Trigger } from '../runs/types.ts';
import { writeFileAtomic } from './atomic.ts';
import { writeFilesAtomic } from './atomic-async.ts';
import { layout } from './layout.ts';
import { readJsonState, type OnCorrupt } from './read-json.ts';
import { checkPending } from './shape.ts';

/** An accepted run that has not started: what the state dir keeps so a restart loses nothing. */
export interface PendingRun {
  id: string;
  entry: string;
  trigger: Trigger;
  target: Target;
  /** Every delivery the run stands for, oldest first. */
  deliveries: DeliveryRef[];
  /** ISO time the first delivery was accepted. */
  acceptedAt: string;
  /** Whether a payload file of the newest delivery sits beside it. */
  hasPayload: boolean;
}

/** Durably records `pending` (and the newest raw payload) before the 202 goes out. Throws on I/O errors. */
export function savePending(stateDir: string, pending: PendingRun, payload: Buffer | null): void {
  if (payload) writeFileAtomic(layout.pendingPayload(stateDir, pending.entry), payload);
  writeFileAtomic(layout.pending(stateDir, pending.entry), JSON.stringify({ ...pending, hasPayload: pending.hasPayload || payload !== null }));
}

/**
 * savePending off the main thread, for group commit: `pending` is serialized at once (later
 * changes to it are not written); resolves when both files are durable. Rejects on I/O errors.
 */
export function savePendingAsync(stateDir: string, pending: PendingRun, payload: Buffer | null): Promise<void> {
  const files: Array<[string, string | Buffer]> = [];
  if (payload) files.push([layout.pendingPayload(stateDir, pending.entry), payload]);
  files.push([layout.pending(stateDir, pending.entry), JSON.stringify({ ...pending, hasPayload: pending.hasPayload || payload !== null })]);
  return writeFilesAtomic(files);
}

/**
 * Takes the entry's pending run out of the queue folder as the run starts: its payload moves
 * to `payloadTo` (when there is one) and the pending file is removed.
 */
export function takePending(stateDir: string, entry: string, payloadTo: string): boolean {
  const payload = layout.pendingPayload(stateDir, entry);
  let moved = false;
  if (existsSync(payload)) {
    renameSync(payload, payloadTo);
    moved = true;
  }
  try { unlinkSync(layout.pending(stateDir, entry)); } catch { /* already gone */ }
  return moved;
}

/**
 * Every pending run in the state dir, oldest first. Corrupt or wrongly shaped files are
 * reported and set aside (left in place with `setAside: false`).
 */
export function listPending(stateDir: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): PendingRun[] {
  let names: string[];
  try {
    names = readdirSync(layout.queueDir(stateDir));
  } catch {
    return [];
  }
  const out: PendingRun[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const entry = name.slice(0, -'.json'.length);
    const p = readJsonState<PendingRun>(stateDir, `${layout.queueDir(stateDir)}/${name}`, onCorrupt, { ...opts, check: checkPending(entry) });
    if (p) out.push(p);
  }
  return out.sort((a, b) => a.acceptedAt.localeCompare(b.acceptedAt));
}
