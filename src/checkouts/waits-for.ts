import type { Holder, Waiter } from './turns.ts';

/** What a waiter waits for: `kind` for scripts, `text` to read, and the run in the way, if one. */
interface WaitsFor {
  kind: 'own run' | 'checkout' | 'trigger' | 'worker' | 'turn';
  text: string;
  entry?: string;
  run?: string;
}

const pidOf = (h: Holder): string => (h.pid ? ` (pid ${h.pid})` : '');
const onCheckout = (h: Holder): string => `run ${h.run} of entry ${h.entry}${pidOf(h)}, on the same checkout`;
const trigger = (w: Waiter): string => `the whauto trigger ${w.id} (pid ${w.pid})`;

/**
 * What the daemon's waiting run `me` waits for, in this order: its entry's running run, another
 * run on its checkout (`holder`), a trigger that waits ahead of it (`ahead`: see turns' ahead), a
 * free worker (`busy` of `workers` running), or only its turn.
 */
export function runWaitsFor(me: Waiter, c: { ownRunning: boolean; holder: Holder | undefined; ahead: Waiter[]; busy: number; workers: number }): WaitsFor {
  const first = c.ahead.find((w) => w.kind === 'trigger');
  const then = first ? `, then ${trigger(first)} that waits ahead of it` : '';
  if (c.ownRunning) return { kind: 'own run', text: `the running run${then}` };
  const h = c.holder;
  if (h) return { kind: 'checkout', text: `${onCheckout(h)}${then}`, entry: h.entry, run: h.run };
  if (first) return { kind: 'trigger', text: `${trigger(first)} that waits ahead of it`, entry: first.entry, run: first.id };
  if (c.busy >= c.workers) return { kind: 'worker', text: `a free worker (${c.busy} of ${c.workers} busy)` };
  return { kind: 'turn', text: 'its turn' };
}

/**
 * What a waiting `whauto trigger` `me` waits for: the checkout's `holder` (or its lock being
 * freed), then the first run and the first trigger that wait ahead of it (`ahead`).
 */
export function triggerWaitsFor(me: Waiter, c: { holder: Holder | undefined; ahead: Waiter[] }): WaitsFor {
  const run = c.ahead.find((w) => w.kind === 'run');
  const trig = c.ahead.find((w) => w.kind === 'trigger');
  const then = [...(run ? [`run ${run.id} of entry ${run.entry}`] : []), ...(trig ? [trigger(trig)] : [])];
  const after = then.length > 0 ? `, then ${then.join(' and ')}, which wait${then.length === 1 ? 's' : ''} ahead of it` : '';
  const h = c.holder;
  if (!h) return { kind: 'checkout', text: `the checkout, being freed${after}` };
  if (h.entry === me.entry) return { kind: 'own run', text: `the running run ${h.run}${after}`, entry: h.entry, run: h.run };
  return { kind: 'checkout', text: `${onCheckout(h)}${after}`, entry: h.entry, run: h.run };
}
