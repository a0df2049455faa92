import type { Logger } from '../log/logger.ts';
import { REPODIR_HOLDS, type NotifyEvent, type NotifyFormat, type RunResult } from '../model/names.ts';
import type { RunRecord } from '../model/run-record.ts';
import type { Entry } from '../settings/types.ts';
import { announcement, finishedEvent, newestDelivery, runCommit } from './announcement.ts';
import { sendNotify, sendStatus } from './deliver.ts';
import type { SendOptions, SendResult } from './send.ts';
import { shownUrl } from './shown-url.ts';
import { statusDescription } from './text.ts';

/**
 * Whether `record` is a rollback that switches back to a release (update: release): it builds
 * nothing, so it sets no commit status; the commit keeps the one of the run that built the
 * release, and a rollback whose post_commands fail does not mark that build failed.
 */
function switchesBack(entry: Entry, record: Readonly<RunRecord>): boolean {
  return record.trigger === 'rollback' && REPODIR_HOLDS[entry.update] === 'releases';
}

/** One notification or commit status call, as the log and the metrics name it. */
export interface Notice {
  entry: string;
  run: string;
  event: NotifyEvent;
  /** The target's format, or 'commit_status'. */
  kind: NotifyFormat | 'commit_status';
  /** The target's scheme and host (for a commit status: its API's, once known; the forge's name before). */
  target: string;
}

/** How a notice went. */
export interface Outcome extends Notice {
  ok: boolean;
}

interface NotifierOptions {
  logger: Logger;
  /** Told of each outcome (the daemon counts them for /metrics). */
  onOutcome?: (outcome: Outcome) => void;
  /** Per-try timeout and backoff (ms); defaults as send() has them. */
  send?: Pick<SendOptions, 'timeoutMs' | 'backoffMs'>;
}

/**
 * Tells a run's notify targets and its forge's commit status what the run does, beside the
 * run: each method returns at once and never throws; the sending goes on by itself (see
 * send() for timeouts and tries) and ends in one log line, `notify sent` or `notify failed`.
 */
interface Notifier {
  /** A run started: the targets whose `on` has 'started' are told. */
  onRunStarted(entry: Entry, record: Readonly<RunRecord>): void;
  /** A step began or ended: once the git step has found the commit, its status is set to pending. */
  onRunStep(entry: Entry, record: Readonly<RunRecord>): void;
  /** A run ended: the targets whose `on` has its event are told; the commit's status is set to the result. */
  onRunFinished(entry: Entry, record: Readonly<RunRecord>): void;
  /**
   * Waits until every notice begun so far (and any begun meanwhile) has its outcome, at most
   * `timeoutMs` and until `signal` aborts; then stops the rest, says each in the log
   * (`notify not sent`) and resolves with how many there were. The notifier sends nothing after.
   */
  settle(opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<number>;
}

interface Job {
  notice: Notice & { forge?: string };
  done: Promise<void>;
}

/** `text` with each of `secrets` (a URL, a token) blotted out: an error text must never show one. */
function scrub(text: string, secrets: Array<string | null>): string {
  return secrets.reduce<string>((t, s) => (s ? t.split(s).join('***') : t), text);
}

/** Creates a notifier that logs through `opts.logger`. */
export function createNotifier(opts: NotifierOptions): Notifier {
  const { logger } = opts;
  const stop = new AbortController();
  const sendOpts: SendOptions = { ...opts.send, signal: stop.signal };
  const jobs = new Set<Job>();
  // One target's notices of one run go in order (a run's 'started' before its 'failed', the
  // pending status before the result), whatever tries either takes.
  const chains = new Map<string, Promise<void>>();
  const pendingSet = new Set<string>();
  let stopped = false;

  const say = (job: Job, r: SendResult, secrets: Array<string | null>): void => {
    if (stopped && r.error === 'stopped') return; // settle() said it was not sent
    const { entry, run, event, kind, forge, target } = job.notice;
    const fields = { entry, run, event, kind, forge, target, status: r.status ?? undefined, tries: r.tries, error: r.error === null ? undefined : scrub(r.error, secrets) };
    if (r.ok) logger.info('notify sent', fields);
    else logger.warn('notify failed', fields);
    opts.onOutcome?.({ entry, run, event, kind, target, ok: r.ok });
  };

  const track = (chain: string, notice: Job['notice'], secrets: Array<string | null>, work: (notice: Job['notice']) => Promise<SendResult | null>): void => {
    const job: Job = { notice, done: Promise.resolve() };
    const done = (chains.get(chain) ?? Promise.resolve())
      .then(() => work(notice))
      .then((r) => { if (r) say(job, r, secrets); })
      .catch((err: unknown) => say(job, { ok: false, status: null, tries: 0, error: `internal error: ${(err as Error)?.message ?? String(err)}` }, secrets))
      .finally(() => {
        jobs.delete(job);
        if (chains.get(chain) === done) chains.delete(chain);
      });
    job.done = done;
    jobs.add(job);
    chains.set(chain, done);
  };

  const tell = (entry: Entry, record: Readonly<RunRecord>, event: NotifyEvent): void => {
    const targets = entry.notify.map((t, i) => ({ t, i })).filter(({ t }) => t.on.includes(event));
    if (targets.length === 0) return;
    const said = announcement(entry, record, event);
    said.catch(() => undefined); // each job sees the rejection itself
    for (const { t, i } of targets) {
      const notice = { entry: entry.name, run: record.id, event, kind: t.format, target: t.url === null ? 'an unread url' : shownUrl(t.url) };
      track(`${record.id}#${i}`, notice, [t.url, t.token], async () => sendNotify(t, await said, sendOpts));
    }
  };

  const setStatus = (entry: Entry, record: Readonly<RunRecord>, state: 'pending' | RunResult, event: NotifyEvent): void => {
    const settings = entry.commitStatus;
    const sha = runCommit(record);
    if (settings === null || sha === null || switchesBack(entry, record)) return;
    const newest = newestDelivery(record);
    const said = announcement(entry, record, event);
    said.catch(() => undefined);
    const notice = { entry: entry.name, run: record.id, event, kind: 'commit_status' as const, forge: entry.provider, target: settings.apiUrl ? shownUrl(settings.apiUrl) : entry.provider };
    track(`${record.id}#status`, notice, [settings.token], async (n) => {
      const r = await sendStatus(entry, newest, { state, sha, description: statusDescription(await said) }, sendOpts);
      if (r !== null) n.target = r.target;
      return r?.result ?? null;
    });
  };

  // The hooks run inside the run's own code: nothing of ours may break it.
  const guarded = (what: string, fn: () => void): void => {
    if (stopped) return;
    try {
      fn();
    } catch (err) {
      logger.error('notify failed', { error: `internal error in ${what}: ${(err as Error)?.message ?? String(err)}` });
    }
  };

  return {
    onRunStarted: (entry, record) => guarded('onRunStarted', () => tell(entry, record, 'started')),
    onRunStep: (entry, record) => guarded('onRunStep', () => {
      if (entry.commitStatus === null || (record.targetCommit ?? record.commit ?? null) === null || pendingSet.has(record.id) || switchesBack(entry, record)) return;
      pendingSet.add(record.id);
      setStatus(entry, record, 'pending', 'started');
    }),
    onRunFinished: (entry, record) => guarded('onRunFinished', () => {
      pendingSet.delete(record.id);
      const event = finishedEvent(record);
      tell(entry, record, event);
      setStatus(entry, record, record.result as RunResult, event);
    }),
    async settle({ timeoutMs = Infinity, signal } = {}) {
      const end = Date.now() + timeoutMs;
      while (jobs.size > 0 && !signal?.aborted && Date.now() < end) {
        const waits: Array<Promise<unknown>> = [Promise.allSettled([...jobs].map((j) => j.done))];
        let timer: NodeJS.Timeout | undefined;
        let onAbort: (() => void) | undefined;
        if (Number.isFinite(timeoutMs)) waits.push(new Promise((r) => { timer = setTimeout(r, Math.max(0, end - Date.now())); }));
        if (signal) waits.push(new Promise<void>((r) => { onAbort = () => r(); signal.addEventListener('abort', onAbort, { once: true }); }));
        await Promise.race(waits);
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      }
      stopped = true;
      const left = [...jobs];
      stop.abort();
      for (const { notice } of left) {
        const { entry, run, event, kind, forge, target } = notice;
        logger.warn('notify not sent', { entry, run, event, kind, forge, target });
      }
      await Promise.allSettled(left.map((j) => j.done));
      return left.length;
    },
  };
}
