import { waitingTriggers } from '../checkouts/turns.ts';
import { processAlive } from '../exec/process-alive.ts';
import { redactUrl } from '../git/redact-url.ts';
import { remoteRefs } from '../git/remote-refs.ts';
import { formatDuration } from '../log/format-duration.ts';
import type { Logger } from '../log/logger.ts';
import type { PollResult } from '../model/names.ts';
import type { RunRecord } from '../model/run-record.ts';
import { sameTarget, type Target } from '../model/target.ts';
import type { Queue } from '../queue/queue.ts';
import type { Entry } from '../settings/types.ts';
import { readPollState, removePollState, savePollState, type PollState } from '../state/polls.ts';
import { listRuns } from '../state/runs.ts';
import { whereIs } from '../update/where.ts';
import { changesSince, firstChanges, type Change, type Deployed } from './changes.ts';
import { inHand } from './in-hand.ts';
import { remoteOf, type Remote } from './remote-of.ts';
import { jitter, JITTER, pollWait } from './wait.ts';

/** Longest delay a Node timer keeps (ms); a later poll is reached in hops. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** ms one ls-remote may take (never more than the entry's interval). */
const ASK_MS = 60_000;

interface PollerOptions {
  stateDir: string;
  logger: Logger;
  /** Where runs go: the daemon's queue (its coalescing, checkout lock and order, as for a delivery). */
  queue: Pick<Queue, 'accept' | 'snapshot'>;
  /** Told how each poll of an entry went (metrics). */
  onPolled?: (entry: string, result: PollResult) => void;
}

/** One polled entry: the entry as the settings say now, and what polling it found. */
interface Polled {
  entry: Entry & { poll: number };
  /** ms since the epoch of its next poll. */
  next: number;
  /** A poll of it is on its way. */
  busy: boolean;
  /** The remote found for it at its last poll (to share a round with entries on the same one). */
  remote: Remote | null;
  state: PollState;
}

const polls = (e: Entry): e is Entry & { poll: number } => e.poll !== null;

/**
 * The daemon's poller: asks each polled entry's remote for its refs every `poll` ms (±10%),
 * one `git ls-remote` per remote for the entries due at once, and queues a run with trigger
 * 'poll' for what moved (see changesSince, firstChanges) unless a run has it in hand (see
 * inHand). A remote that cannot be asked is asked again after twice the wait before, up to
 * 10 intervals, with one log line when its entries' polls begin to fail and one when they go
 * through again. What each poll found is in `polls/<entry>.json` for `status` and the next start.
 */
export class Poller {
  private readonly polled = new Map<string, Polled>();
  private timer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly opts: PollerOptions, entries: Entry[]) {
    this.take(entries);
  }

  /** Polls every polled entry now, then each at its interval. */
  start(): void {
    this.schedule();
  }

  /** Takes reloaded settings: new intervals apply from the last poll, new entries are polled now, removed ones no more. */
  reload(entries: Entry[]): void {
    this.take(entries);
    this.schedule();
  }

  /** Stops polling: no poll starts and none on its way queues a run (its git is ended). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
  }

  /**
   * The run a poll queued for `commit` of `entry`'s `target` once it has started (running or
   * done), else null: a delivery of that commit then deploys nothing more. While that run
   * waits, null: the delivery joins it.
   */
  queuedRun(entry: string, target: Target, commit: string): string | null {
    const q = this.polled.get(entry)?.state.queued;
    if (!q || q.commit !== commit || !sameTarget(q.target, target)) return null;
    return this.opts.queue.snapshot().waiting.some((w) => w.id === q.run) ? null : q.run;
  }

  private take(entries: Entry[]): void {
    const now = Date.now();
    const wanted = new Map(entries.filter(polls).map((e) => [e.name, e]));
    for (const [name, p] of this.polled) {
      if (wanted.has(name)) continue;
      this.polled.delete(name);
      removePollState(this.opts.stateDir, name);
      this.opts.logger.info('polling stopped', { entry: name });
    }
    for (const entry of wanted.values()) {
      const p = this.polled.get(entry.name);
      if (!p) {
        this.polled.set(entry.name, { entry, next: now, busy: false, remote: null, state: this.remembered(entry) });
        this.opts.logger.info('polling', { entry: entry.name, every: formatDuration(entry.poll) });
        continue;
      }
      const changed = p.entry.poll !== entry.poll;
      // Another remote, git or key: found again at its next poll.
      if (['repodir', 'remote', 'cloneUrl', 'gitBinary', 'sshKey'].some((k) => p.entry[k as keyof Entry] !== entry[k as keyof Entry])) p.remote = null;
      p.entry = entry;
      if (!changed) continue;
      this.opts.logger.info('poll interval changed', { entry: entry.name, every: formatDuration(entry.poll) });
      const since = p.state.last ? Date.parse(p.state.last.at) : now;
      if (p.busy) continue;
      p.next = Math.max(now, since + this.wait(p, jitter()));
      this.save(p);
    }
  }

  /** What the state dir remembers of `entry`'s polls (a restart keeps the tips it saw), or a fresh start. */
  private remembered(entry: Entry & { poll: number }): PollState {
    const { stateDir, logger } = this.opts;
    const kept = readPollState(stateDir, entry.name, (file, to, why) => logger.warn('corrupt state file set aside', { file, moved_to: to ?? undefined, error: why }));
    return {
      entry: entry.name, everyMs: entry.poll, remote: kept?.remote ?? null, last: kept?.last ?? null, next: new Date().toISOString(),
      failingSince: null, failures: 0, refs: kept?.refs ?? null, queued: kept?.queued ?? null,
    };
  }

  /** ms from one poll of `p` to the next (see pollWait). */
  private wait(p: Polled, j: number): number {
    return pollWait(p.entry.poll, p.state.failures, j);
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const idle = [...this.polled.values()].filter((p) => !p.busy);
    if (idle.length === 0) return;
    const next = Math.min(...idle.map((p) => p.next));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, Math.min(MAX_DELAY_MS, Math.max(0, next - Date.now())));
  }

  /** Polls the entries due now, one ls-remote per remote; entries on those remotes due within a tenth of their interval come along. */
  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    const due = [...this.polled.values()].filter((p) => !p.busy && p.next <= now);
    for (const p of due) p.busy = true;
    if (due.length === 0) {
      this.schedule();
      return;
    }
    void Promise.all(due.map(async (p) => ({ p, remote: await remoteOf(p.entry, this.abort.signal) }))).then((found) => {
      if (this.stopped) return;
      const rounds = new Map<string, { remote: Remote; members: Polled[] }>();
      for (const { p, remote } of found) {
        if ('message' in remote) {
          this.failed([p], null, remote.message);
          p.busy = false;
          continue;
        }
        p.remote = remote;
        const round = rounds.get(remote.key) ?? { remote, members: [] };
        round.members.push(p);
        rounds.set(remote.key, round);
      }
      for (const p of this.polled.values()) {
        const round = p.remote && !p.busy && p.next <= now + p.entry.poll * JITTER ? rounds.get(p.remote.key) : undefined;
        if (!round) continue;
        p.busy = true;
        round.members.push(p);
      }
      for (const { remote, members } of rounds.values()) void this.round(remote, members);
      this.schedule();
    }).catch((err: unknown) => {
      this.opts.logger.error('poll failed', { error: err instanceof Error ? err.message : String(err) });
      for (const p of due) p.busy = false;
      this.schedule();
    });
    this.schedule();
  }

  /** One ls-remote of `remote` for `members`, and what each of them makes of its answer. */
  private async round(remote: Remote, members: Polled[]): Promise<void> {
    try {
      const timeoutMs = Math.min(ASK_MS, ...members.map((p) => p.entry.poll));
      const answer = await remoteRefs(members[0]!.entry, remote.cwd, remote.url, { timeoutMs, signal: this.abort.signal });
      if (this.stopped) return;
      if ('message' in answer) {
        this.failed(members, remote, answer.message);
        return;
      }
      const j = jitter();
      const back = members.filter((p) => p.state.failures > 0);
      if (back.length > 0) {
        const since = Math.min(...back.map((p) => Date.parse(p.state.failingSince ?? '') || Date.now()));
        this.opts.logger.info('polling recovered', { remote: redactUrl(remote.url), entries: back.map((p) => p.entry.name).join(','), failed_polls: Math.max(...back.map((p) => p.state.failures)), failing_for_ms: Date.now() - since });
      }
      for (const p of members) {
        // Removed by a reload meanwhile: nothing more to do for it.
        if (this.polled.get(p.entry.name) !== p) continue;
        await this.found(p, remote, answer.refs, j);
      }
    } catch (err) {
      this.opts.logger.error('poll failed', { remote: redactUrl(remote.url), error: err instanceof Error ? err.message : String(err) });
    } finally {
      for (const p of members) p.busy = false;
      this.schedule();
    }
  }

  /** What `p` makes of its remote's refs: the changes it deploys, remembered tips, the next poll. */
  private async found(p: Polled, remote: Remote, refs: Map<string, string>, j: number): Promise<void> {
    const { entry, state } = p;
    const { stateDir, logger, queue } = this.opts;
    // Read only when needed: most polls find nothing moved. Corrupt records are reported by status and the daemon's own readers.
    const records = (): RunRecord[] => listRuns(stateDir, entry.name, () => undefined, { setAside: false });
    const changes = state.refs === null ? firstChanges(entry, refs, await this.deployed(entry, records())) : changesSince(entry, refs, state.refs);
    if (this.stopped) return;
    const seen: Record<string, string> = Object.fromEntries(refs);
    const said: string[] = [];
    let result: PollResult = 'current';
    let run: string | null = null;
    if (changes.length > 0) {
      const snap = queue.snapshot();
      const runs = {
        waiting: [
          ...snap.waiting.filter((w) => w.entry === entry.name),
          ...waitingTriggers(stateDir, false).filter((t) => t.entry === entry.name),
        ],
        records: records(),
        alive: (r: { pid: number; identity?: string }) => processAlive(r.pid, r.identity),
        running: snap.running.filter((r) => r.entry === entry.name).map((r) => r.id),
      };
      for (const c of changes) {
        const has = inHand(c, runs);
        if (has === 'unsure') {
          // Not remembered as seen: the next poll looks again, once the running run says its commit.
          if (state.refs?.[c.ref] !== undefined) seen[c.ref] = state.refs[c.ref]!;
          else delete seen[c.ref];
          said.push(`${shown(c)}: a run of it runs; looked at again next poll`);
          continue;
        }
        if (has) {
          said.push(`${shown(c)}: ${has.by === 'waiting' ? 'waited for' : has.by === 'running' ? 'being deployed' : 'deployed'} by run ${has.run}`);
          continue;
        }
        const accepted = queue.accept(entry, c.target, null, null, 'poll');
        run = accepted.id;
        result = 'queued';
        state.queued = { run: accepted.id, target: c.target, commit: c.commit };
        said.push(`${shown(c)}: queued run ${accepted.id}`);
        logger.info('poll queued a run', { entry: entry.name, run: accepted.id, ref: c.ref, commit: c.commit, coalesced: accepted.coalesced || undefined });
        accepted.durable.catch((err: unknown) => {
          // Not accepted after all: the next poll tries again.
          logger.error('cannot record the run a poll queued; the next poll tries again', { entry: entry.name, run: accepted.id, error: (err as Error).message });
          if (state.refs) delete state.refs[c.ref];
          if (state.queued?.run === accepted.id) state.queued = null;
        });
      }
    }
    state.refs = seen;
    state.failures = 0;
    state.failingSince = null;
    state.remote = redactUrl(remote.url);
    state.last = { at: new Date().toISOString(), result, message: said.join('; ') || 'no new commits', run };
    p.next = Date.now() + this.wait(p, j);
    this.save(p);
    this.opts.onPolled?.(entry.name, result);
  }

  /** What `entry` deploys now, for a first poll: its newest run that checked out a commit, else where its checkout stands. */
  private async deployed(entry: Entry, records: RunRecord[]): Promise<Deployed> {
    const last = records.find((r) => r.result !== 'running' && r.commit !== null);
    if (last) return last.target.kind === 'branch' ? { kind: 'branch', name: last.target.name, commit: last.commit! } : { kind: 'tag', commit: last.commit! };
    const at = entry.repodir === null ? null : await whereIs(entry, entry.repodir, {});
    if (!at?.commit) return null;
    return at.branch !== null ? { kind: 'branch', name: at.branch, commit: at.commit } : { kind: 'tag', commit: at.commit };
  }

  /** Polls of `members` that could not ask `remote` (null: none was found): backs them off; says so once when they begin to fail. */
  private failed(members: Polled[], remote: Remote | null, message: string): void {
    const j = jitter();
    const now = new Date().toISOString();
    const beginning: Polled[] = [];
    for (const p of members) {
      if (this.polled.get(p.entry.name) !== p) continue;
      const s = p.state;
      s.failures++;
      if (s.failures === 1) {
        s.failingSince = now;
        beginning.push(p);
      }
      s.last = { at: now, result: 'failed', message, run: null };
      if (remote) s.remote = redactUrl(remote.url);
      p.next = Date.now() + this.wait(p, j);
      this.save(p);
      this.opts.onPolled?.(p.entry.name, 'failed');
    }
    if (beginning.length === 0) return;
    this.opts.logger.warn('polling failed', {
      remote: remote ? redactUrl(remote.url) : undefined, entries: beginning.map((p) => p.entry.name).join(','), error: message,
      retry_in_ms: Math.round(Math.min(...beginning.map((p) => p.next)) - Date.now()),
    });
  }

  private save(p: Polled): void {
    p.state.everyMs = p.entry.poll;
    p.state.next = new Date(p.next).toISOString();
    try {
      savePollState(this.opts.stateDir, p.state);
    } catch (err) {
      this.opts.logger.warn('cannot write poll state', { entry: p.entry.name, error: (err as Error).message });
    }
  }
}

/** A change for people: `branch main at 0123456789ab`. */
function shown(c: Change): string {
  return `${c.target.kind} ${c.target.name} at ${c.commit.slice(0, 12)}`;
}
