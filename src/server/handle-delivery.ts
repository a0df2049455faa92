import { FORGES, getForge } from '../forges/registry.ts';
import { PayloadError, type Delivery, type ParseResult, type PushEvent } from '../forges/types.ts';
import type { Queue } from '../queue/queue.ts';
import type { DeliveryRef } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { answers, type Answer } from './answer.ts';
import { route } from './route.ts';
import { withoutBodySecret } from './without-body-secret.ts';

/**
 * The run a poll started for `commit` of `entry`'s `target` (running or done), or null: a
 * delivery of a commit a poll already deploys is not run a second time.
 */
export type PolledRun = (entry: string, target: Target, commit: string) => string | null;

/** What the delivery log line says besides the answer. */
export interface DeliveryInfo {
  forge?: string;
  event?: string;
  delivery?: string | null;
  entries?: string;
}

function deliveryRef(e: PushEvent): DeliveryRef {
  return {
    forge: e.forge, event: e.event, deliveryId: e.deliveryId, ref: e.ref, before: e.before, after: e.after,
    pusher: e.pusher, repository: e.repository.fullName || null,
    repositoryUrl: e.repository.cloneUrls.find((u) => /^https?:\/\//i.test(u)) ?? e.repository.cloneUrls[0] ?? null,
    receivedAt: new Date().toISOString(),
  };
}

/** Parses a verified delivery's JSON; a body that is not a JSON object is a 400. */
function parseJson(delivery: Delivery): Record<string, unknown> | Answer {
  let json: unknown;
  try {
    json = JSON.parse(delivery.payload.toString('utf8'));
  } catch {
    return answers.badPayload('the body is not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return answers.badPayload('the body is not a JSON object');
  return json as Record<string, unknown>;
}

function parseFor(entry: Entry, delivery: Delivery, json: Record<string, unknown>): ParseResult | Answer {
  try {
    return getForge(entry.provider).parse(delivery, json);
  } catch (err) {
    if (err instanceof PayloadError) return answers.badPayload(err.message);
    throw err;
  }
}

const isAnswer = (x: unknown): x is Answer => typeof x === 'object' && x !== null && 'code' in x;

/**
 * Handles a verified delivery for the given entries (one for the per-entry URL, every
 * verifying entry for the single URL): parses it with each entry's forge, routes each push
 * event, and queues what matches. Returns the answer: 202 with the runs, 200 with why nothing
 * was queued, or 400 for a payload the forge cannot read; 202 only once the queued runs are
 * durable in the state dir (500 when they cannot be written). A push whose commit a poll already
 * started a run for (`polled`) is ignored.
 */
export async function handleVerified(entries: Entry[], delivery: Delivery, queue: Queue, info: DeliveryInfo, polled: PolledRun | null = null): Promise<Answer> {
  // Parsed and queued in a plain function, so the parsed payload is garbage at once rather
  // than held by this function's frame while the write is on its way (under load, that kept
  // megabytes alive through every young-generation collection).
  const queued = parseAndQueue(entries, delivery, queue, info, polled);
  if ('code' in queued) return queued;
  try {
    await Promise.all(queued.durable);
  } catch (err) {
    // Not durable, so not accepted: the forge will deliver again.
    return answers.failed('cannot record the delivery in the state dir; deliver again later', (err as Error).message);
  }
  return queued.answer;
}

/** The synchronous part of handleVerified: the answer once `durable` all resolve, or an answer now. */
function parseAndQueue(entries: Entry[], delivery: Delivery, queue: Queue, info: DeliveryInfo, polled: PolledRun | null): Answer | { durable: Array<Promise<void>>; answer: Answer } {
  const json = parseJson(delivery);
  if (isAnswer(json)) return json;
  // What the run's commands get (WHAUTO_PAYLOAD), and what the state dir keeps: no body secret
  // (older Gogs sends one). Verification is done: it saw the bytes as sent.
  const payload = Object.hasOwn(json, 'secret') ? withoutBodySecret(delivery.payload) : delivery.payload;
  const runs: Array<{ entry: string; id: string }> = [];
  const durable: Array<Promise<void>> = [];
  const reasons: string[] = [];
  for (const entry of entries) {
    const parsed = parseFor(entry, delivery, json);
    if (isAnswer(parsed)) return parsed;
    info.forge = entry.provider;
    if (parsed.kind === 'ignore') {
      info.event = parsed.event;
      reasons.push(parsed.reason);
      continue;
    }
    for (const event of parsed.events) {
      info.event = event.event;
      info.delivery = event.deliveryId;
      const r = route(entry, event);
      if ('ignore' in r) {
        reasons.push(r.ignore);
        continue;
      }
      const byPoll = event.after !== null && polled ? polled(entry.name, r.target, event.after) : null;
      if (byPoll !== null) {
        reasons.push(`commit ${event.after!.slice(0, 12)} of ${r.target.kind} ${r.target.name} is already deployed by run ${byPoll}, which a poll started`);
        continue;
      }
      const accepted = queue.accept(entry, r.target, deliveryRef(event), payload);
      durable.push(accepted.durable);
      if (!runs.some((x) => x.entry === accepted.entry && x.id === accepted.id)) runs.push({ entry: accepted.entry, id: accepted.id });
    }
  }
  info.entries = runs.map((r) => r.entry).join(',') || undefined;
  const answer = runs.length > 0 ? answers.queued(runs) : answers.ignored([...new Set(reasons)].join('; ') || 'nothing to deploy');
  return { durable, answer };
}

/** Whether `delivery` carries a header only `entry`'s forge sends (see Forge.eventHeaders). */
function claims(entry: Entry, delivery: Delivery): boolean {
  return getForge(entry.provider).eventHeaders.some((h) => delivery.headers[h.toLowerCase()] !== undefined);
}

/**
 * Verifies `delivery` for each entry with its own forge and secret. Returns the entries it
 * verifies for, and the refusal to answer when it verifies for none: the reason an entry of
 * the delivery's own forge gives (by its event header) before another forge's, 403 (a
 * signature present but wrong) before 401. `blocked`: entries the client may not use
 * (allow_ips): when no open entry is of the delivery's forge and one of these is, 403 with
 * `blocked.reason`; their secrets are not tried.
 */
export function verifyFor(entries: Entry[], delivery: Delivery, blocked: { entries: Entry[]; reason: string } | null = null): { ok: Entry[]; refusal: Answer | null } {
  const ok: Entry[] = [];
  // The refusal so far and its rank (-1: none yet).
  let rank = -1;
  let status = 403 as 401 | 403;
  let reason = '';
  const consider = (claimed: boolean, s: 401 | 403, r: string): void => {
    const k = (claimed ? 2 : 0) + (s === 403 ? 1 : 0);
    if (k > rank) [rank, status, reason] = [k, s, r];
  };
  let openClaim = false;
  for (const entry of entries) {
    const v = getForge(entry.provider).verify(delivery, entry.secret);
    const claimed = claims(entry, delivery);
    openClaim ||= claimed;
    if (v.ok) ok.push(entry);
    else consider(claimed, v.status, v.reason);
  }
  if (ok.length > 0) return { ok, refusal: null };
  // "Not allowed" only when every entry of the delivery's forge is closed to the client.
  const blockedClaim = !openClaim && (blocked?.entries ?? []).some((entry) => claims(entry, delivery));
  if (blockedClaim) consider(true, 403, blocked!.reason);
  if (rank < 0) return { ok, refusal: answers.forbidden('no entry accepts this delivery') };
  if (!openClaim && !blockedClaim) reason += otherForgeHint(delivery, entries);
  return { ok, refusal: status === 401 ? answers.unauthenticated(reason) : answers.forbidden(reason) };
}

/**
 * For a delivery no entry's forge claims: which forges' event headers it carries, in words
 * (`; it has the event header of gitlab, but entry 'site' has provider github`; on the single
 * URL, `… but no entry that /webhook serves has provider gitlab`), or ''. The usual cause is
 * an entry left at the default provider, or a hook pointed at another entry's URL.
 */
function otherForgeHint(delivery: Delivery, entries: Entry[]): string {
  const names = Object.entries(FORGES).filter(([, f]) => f.eventHeaders.some((h) => delivery.headers[h.toLowerCase()] !== undefined)).map(([n]) => n);
  if (names.length === 0) return '';
  const [only] = entries;
  return `; it has the event header of ${names.join(' or ')}, but ` +
    (entries.length === 1 && only ? `entry '${only.name}' has provider ${only.provider}` : `no entry that this URL serves has provider ${names.join(' or ')}`);
}
