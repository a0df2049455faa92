import { readdirSync, unlinkSync } from 'node:fs';
import type { Trigger } from '../model/names.ts';
import type { DeliveryRef } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import { writeFileAtomic } from './atomic.ts';
import { layout } from './layout.ts';
import { readJsonState, type OnCorrupt } from './read-json.ts';
import { checkPending } from './shape.ts';
import { byCodeUnit } from './order.ts';

/**
 * An accepted run that has not started: what the state dir keeps so a restart loses nothing.
 * On disk it is one file, `queue/<entry>.json`, holding these fields plus `payload`: the raw
 * payload of the newest delivery, base64 (absent when there is none). One file, so that a
 * group write costs one fsync.
 */
export interface PendingRun {
  id: string;
  entry: string;
  trigger: Trigger;
  target: Target;
  /** Every delivery the run stands for, oldest first. */
  deliveries: DeliveryRef[];
  /** ISO time the first delivery was accepted. */
  acceptedAt: string;
}

/** A pending run as read back, with the raw payload of its newest delivery (null: none). */
type PendingWithPayload = PendingRun & { payload: Buffer | null };

/**
 * The text of a pending run's file. `deliveriesJson` is `JSON.stringify(pending.deliveries)`,
 * given apart so that a caller can keep it up to date as deliveries come instead of
 * serializing the whole list again on every write (`pending.deliveries` is not read).
 */
export function pendingText(pending: PendingRun, deliveriesJson: string, payload: Buffer | null): string {
  const head = JSON.stringify({
    id: pending.id, entry: pending.entry, trigger: pending.trigger, target: pending.target,
    acceptedAt: pending.acceptedAt, hasPayload: payload !== null,
  });
  return `${head.slice(0, -1)},"deliveries":${deliveriesJson}${payload ? `,"payload":"${payload.toString('base64')}"` : ''}}`;
}

/** Durably records `pending` (with the newest raw payload) in one atomic write, synchronously. Throws on I/O errors. */
export function savePending(stateDir: string, pending: PendingRun, payload: Buffer | null): void {
  writeFileAtomic(layout.pending(stateDir, pending.entry), pendingText(pending, JSON.stringify(pending.deliveries), payload));
}

/** The files to remove when the entry's pending run starts (or is dropped). */
export function pendingFiles(stateDir: string, entry: string): string[] {
  return [layout.pending(stateDir, entry)];
}

/** Removes the entry's pending run from the queue folder (synchronously; a missing file is fine). */
export function dropPending(stateDir: string, entry: string): void {
  for (const f of pendingFiles(stateDir, entry)) {
    try { unlinkSync(f); } catch { /* already gone */ }
  }
}

/**
 * Every pending run in the state dir, oldest first, each with its newest payload. Corrupt or
 * wrongly shaped files are reported and set aside (left in place with `setAside: false`).
 */
export function listPending(stateDir: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): PendingWithPayload[] {
  let names: string[];
  try {
    names = readdirSync(layout.queueDir(stateDir));
  } catch {
    return [];
  }
  const out: PendingWithPayload[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const entry = name.slice(0, -'.json'.length);
    const p = readJsonState<PendingRun & { payload?: unknown; hasPayload?: unknown }>(stateDir, `${layout.queueDir(stateDir)}/${name}`, onCorrupt, { ...opts, check: checkPending(entry) });
    if (!p) continue;
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload, 'base64') : null;
    const { payload: _text, hasPayload: _has, ...run } = p;
    out.push({ ...run, payload });
  }
  return out.sort((a, b) => byCodeUnit(a.acceptedAt, b.acceptedAt));
}
