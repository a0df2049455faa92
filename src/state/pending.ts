import { existsSync, readdirSync } from 'node:fs';
import type { Trigger } from '../model/names.ts';
import { KEEP_DELIVERIES, type DeliveryRef } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import { readJournal, type Frame } from './journal.ts';
import { layout } from './layout.ts';
import { readJsonState, type OnCorrupt } from './read-json.ts';
import { checkPending } from './shape.ts';
import { byCodeUnit } from './order.ts';

/**
 * An accepted run that has not started: what the state dir keeps so a restart loses nothing.
 * The daemon writes it to the journal (see journal.ts) as an item `{ run, payload }` (payload:
 * the index of the newest delivery's raw payload among the frame's blobs, or null), each time
 * it changes; an item `{ gone: id }` says the run started or was dropped.
 */
export interface PendingRun {
  id: string;
  entry: string;
  trigger: Trigger;
  target: Target;
  /** The newest deliveries the run stands for (at most KEEP_DELIVERIES), oldest first. */
  deliveries: DeliveryRef[];
  /** How many deliveries it stands for. */
  deliveryCount: number;
  /** ISO time the first delivery was accepted. */
  acceptedAt: string;
}

/** A pending run as read back, with the raw payload of its newest delivery (null: none). */
type PendingWithPayload = PendingRun & { payload: Buffer | null };

/** `older` then `newer` deliveries, the newest KEEP_DELIVERIES of them. */
export function joinDeliveries(older: DeliveryRef[], newer: DeliveryRef[]): DeliveryRef[] {
  const all = older.length === 0 ? newer : [...older, ...newer];
  return all.length > KEEP_DELIVERIES ? all.slice(-KEEP_DELIVERIES) : all;
}

/** The journal item of waiting run `run` whose payload is blob `payload` of its frame (null: none). */
export function pendingItem(run: PendingRun, payload: number | null): unknown {
  return { run, payload };
}

/** The journal item that says run `id` started or was dropped. */
export function goneItem(id: string): unknown {
  return { gone: id };
}

/** The pending runs the journal's `frames` leave, by run id, in the order they were first written. */
function replay(frames: Frame[]): Map<string, PendingWithPayload> {
  const runs = new Map<string, PendingWithPayload>();
  for (const { items, blobs } of frames) {
    for (const item of items as Array<{ run?: PendingRun; payload?: number | null; gone?: string }>) {
      if (typeof item.gone === 'string') runs.delete(item.gone);
      else if (item.run && typeof item.run.id === 'string' && checkPending(item.run.entry)(item.run as unknown as Record<string, unknown>) === null) {
        runs.set(item.run.id, { ...item.run, payload: typeof item.payload === 'number' ? blobs[item.payload] ?? null : null });
      }
    }
  }
  return runs;
}

/**
 * The waiting run of each entry as versions before the journal kept it, `queue/<entry>.json`
 * (every delivery listed; the newest payload as base64), as pending runs, with their files.
 * Corrupt or wrongly shaped files are reported and set aside (left in place with `setAside: false`).
 */
export function legacyPending(stateDir: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): Array<{ file: string; run: PendingWithPayload }> {
  let names: string[];
  try {
    names = readdirSync(layout.queueDir(stateDir));
  } catch {
    return [];
  }
  const out: Array<{ file: string; run: PendingWithPayload }> = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const entry = name.slice(0, -'.json'.length);
    const file = layout.pending(stateDir, entry);
    const p = readJsonState<Omit<PendingRun, 'deliveryCount'> & { payload?: unknown; hasPayload?: unknown }>(stateDir, file, onCorrupt, { ...opts, check: checkPending(entry) });
    if (!p) continue;
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload, 'base64') : null;
    const { payload: _text, hasPayload: _has, ...run } = p;
    out.push({ file, run: { ...run, deliveries: joinDeliveries([], run.deliveries), deliveryCount: run.deliveries.length, payload } });
  }
  return out;
}

/** `b` joined into `a` (both of one entry, `a` accepted first): one run that stands for both. */
function merge(a: PendingWithPayload, b: PendingWithPayload): PendingWithPayload {
  return {
    ...a, target: b.target, deliveries: joinDeliveries(a.deliveries, b.deliveries),
    deliveryCount: a.deliveryCount + b.deliveryCount, payload: b.payload ?? a.payload,
  };
}

/**
 * Every pending run in the state dir, oldest first, one per entry, each with its newest
 * payload: the journal's, and the files of versions before it. A run whose record exists
 * has started (the journal may not say so yet) and is left out; two of one entry (one was
 * starting when the daemon stopped) are joined. Corrupt or wrongly shaped old files are
 * reported and set aside (left in place with `setAside: false`).
 */
export function listPending(stateDir: string, onCorrupt: OnCorrupt, opts: { setAside?: boolean } = {}): PendingWithPayload[] {
  const all = [...legacyPending(stateDir, onCorrupt, opts).map((l) => l.run), ...replay(readJournal(stateDir)).values()]
    .filter((p) => !existsSync(layout.runRecord(stateDir, p.entry, p.id)))
    .sort((a, b) => byCodeUnit(a.acceptedAt, b.acceptedAt));
  const byEntry = new Map<string, PendingWithPayload>();
  for (const p of all) {
    const had = byEntry.get(p.entry);
    byEntry.set(p.entry, had ? (had.id === p.id ? p : merge(had, p)) : p);
  }
  return [...byEntry.values()];
}
