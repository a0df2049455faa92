import type { GitOptions } from '../git/types.ts';
import { defaultBranch } from '../model/deploys.ts';
import { isRunId } from '../model/run-id.ts';
import type { RunRecord } from '../model/run-record.ts';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { deployedCommit, rollbackHow } from './deployed.ts';
import { isReleaseId } from './release-layout.ts';
import { entryReleases, type Release } from './releases.ts';
import type { RollbackTo } from './types.ts';

/** What `whauto rollback` goes back to. */
export interface RollbackChoice {
  to: RollbackTo;
  /** What the rollback run deploys: the branch or tag of the run that deployed it. */
  target: Target;
  /** The commit deployed now, which the rollback leaves (null: unknown). */
  left: string | null;
  /** The earlier deploy in words: `releases/<id> (<commit> <subject>)`, `<commit> (run <id> of <time>)`. */
  what: string;
}

/** A commit prefix a user may type for --to: 4 to 40 hex digits. */
const COMMIT_PREFIX = /^[0-9a-f]{4,40}$/;

/**
 * Chooses what a rollback of `entry` goes back to, from its run records `runs` (newest first)
 * and, for releases, the release folders on disk; `asked` is --to (a run id, a release id or a
 * commit prefix; null: the newest earlier one). With `switch` (releases): the newest release
 * built whole that is older than the live one and holds another commit (one a rollback undid only when no other is), or the one asked for (a run's own release, else
 * the newest holding its commit; never an incomplete one). With `deploy`: the commit of the newest successful run
 * before the one that deployed what is deployed now (rollback runs are not deploys of their
 * own: a second rollback goes further back; one a rollback undid only when no other is left), or the one
 * asked for, which a successful run must have deployed. Returns why not in words (the command's exit 2). Never throws.
 */
export async function chooseRollback(entry: Entry, runs: RunRecord[], asked: string | null, git: GitOptions = {}): Promise<RollbackChoice | { refused: string }> {
  const how = rollbackHow(entry);
  if (typeof how === 'object') return { refused: `entry '${entry.name}' cannot roll back: ${how.refused}` };
  const left = await deployedCommit(entry, git);
  const succeeded = runs.filter((r) => r.result === 'succeeded' && r.commit !== null);
  const byId = asked !== null && isRunId(asked) ? runs.find((r) => r.id === asked) : undefined;
  if (asked !== null && isRunId(asked)) {
    if (!byId) return { refused: `entry '${entry.name}' has no run ${asked} (see whauto status)` };
    if (byId.result !== 'succeeded' || byId.commit === null) return { refused: `run ${asked} of entry '${entry.name}' did not succeed (${byId.result}): a rollback goes back only to a successful deploy` };
  }
  if (how === 'switch') return chooseRelease(entry, runs, asked, byId, left, git);

  let run: RunRecord | undefined;
  if (byId) run = byId;
  else if (asked !== null) {
    const prefix = asked.toLowerCase();
    if (!COMMIT_PREFIX.test(prefix)) return { refused: `--to takes a run id or a commit (4 to 40 hex digits), not '${asked}'` };
    const matching = succeeded.filter((r) => r.commit!.startsWith(prefix));
    if (new Set(matching.map((r) => r.commit)).size > 1) return { refused: `commit ${asked} is ambiguous: successful runs deployed ${[...new Set(matching.map((r) => r.commit!.slice(0, 12)))].join(', ')}` };
    run = matching[0];
    if (!run) return { refused: `no successful run of entry '${entry.name}' deployed a commit ${asked} (see whauto status)` };
  } else {
    const gone = undone(runs);
    const deploys = succeeded.filter((r) => r.trigger !== 'rollback');
    const at = deploys.findIndex((r) => r.commit === left);
    run = preferring(deploys.slice(at + 1), (r) => r.commit !== left, (r) => gone.has(r.id));
    if (!run) return { refused: `entry '${entry.name}' has no earlier successful run${left ? ` of another commit than ${left.slice(0, 12)}, which is deployed now` : ''}: nothing to roll back to` };
  }
  if (run.commit === left) return { refused: `${left} is deployed now already` };
  return { to: { commit: run.commit!, release: null }, target: run.target, left, what: `${run.commit} (run ${run.id} of ${run.startedAt})` };
}

/**
 * The ids of the deploys a later rollback undid (`runs` newest first): the newest thing that
 * happened to their commit is a successful rollback leaving it (not a deploy of it, nor a
 * rollback to it). A rollback without --to prefers the others: after A, B (bad), a rollback
 * to A, then C (bad), it goes back to A, not to B.
 */
function undone(runs: RunRecord[]): Set<string> {
  const last = new Map<string, 'left' | 'deployed'>();
  const out = new Set<string>();
  for (const r of runs) {
    if (r.commit === null || !(r.result === 'succeeded' || (r.trigger === 'rollback' && changedDeployed(r)))) continue;
    if (r.trigger === 'rollback') {
      if (r.previous && !last.has(r.previous)) last.set(r.previous, 'left');
      if (!last.has(r.commit)) last.set(r.commit, 'deployed');
    } else {
      if (last.get(r.commit) === 'left') out.add(r.id);
      else last.set(r.commit, 'deployed');
    }
  }
  return out;
}

/**
 * Whether the finished run `r` changed what is deployed: it succeeded, or it failed after
 * that (post_commands, or commands of a mode that does not undo its checkout), so that its
 * commit is not what was deployed before it. A rollback whose post_commands failed did go back.
 */
export function changedDeployed(r: Pick<RunRecord, 'result' | 'commit' | 'previous'>): boolean {
  return r.result === 'succeeded' || (r.result !== 'running' && r.commit !== null && r.commit !== r.previous);
}

/** The first of `xs` that `ok` and is not in `avoid`, else the first that `ok` (when every one is to avoid). */
function preferring<T>(xs: T[], ok: (x: T) => boolean, avoid: (x: T) => boolean): T | undefined {
  return xs.find((x) => ok(x) && !avoid(x)) ?? xs.find(ok);
}

/** The release a rollback switches to (see chooseRollback). */
async function chooseRelease(
  entry: Entry, runs: RunRecord[], asked: string | null, byId: RunRecord | undefined, left: string | null, git: GitOptions,
): Promise<RollbackChoice | { refused: string }> {
  const found = await entryReleases(entry, git);
  if (found === null || 'message' in found) return { refused: found ? found.message : `entry '${entry.name}' has no releases` };
  const built = found.releases.filter((r) => r.complete && r.commit !== null);
  let release: Release | undefined;
  if (byId) {
    release = built.find((r) => r.id === byId.release) ?? built.find((r) => !r.live && r.commit === byId.commit);
    if (!release) return { refused: `the release of run ${byId.id} is no longer on disk (keep_releases: ${entry.keepReleases})` };
  } else if (asked !== null) {
    const prefix = asked.toLowerCase();
    const named = found.releases.find((r) => r.id === asked);
    if (named && !named.complete) return { refused: `releases/${asked} is incomplete (its deploy did not succeed): it cannot be gone back to` };
    release = built.find((r) => r.id === asked);
    if (!release && isReleaseId(asked)) return { refused: `no release ${asked} of entry '${entry.name}' is on disk (see whauto status)` };
    if (!release && !COMMIT_PREFIX.test(prefix)) return { refused: `--to takes a run id, a release id or a commit (4 to 40 hex digits), not '${asked}'` };
    release ??= built.find((r) => !r.live && r.commit!.startsWith(prefix));
    if (!release) return { refused: `no release of entry '${entry.name}' on disk is ${asked} or holds a commit ${asked} (see whauto status)` };
  } else {
    if (found.live === null) return { refused: `entry '${entry.name}' has no live release: nothing to roll back from` };
    const gone = undone(runs);
    const undoneReleases = new Set(runs.filter((r) => gone.has(r.id) && r.release).map((r) => r.release));
    // Another release of the live commit (deployed twice) is no going back.
    const liveCommit = found.releases.find((r) => r.live)?.commit ?? left;
    release = preferring(built, (r) => r.id < found.live! && r.commit !== liveCommit, (r) => undoneReleases.has(r.id));
    if (!release) {
      const same = built.some((r) => r.id < found.live!) && liveCommit ? ` holding another commit than ${liveCommit.slice(0, 12)}, which is live now` : '';
      return { refused: `entry '${entry.name}' has no release older than the live one (releases/${found.live}) on disk${same}: nothing to roll back to` };
    }
  }
  if (release.live) return { refused: `releases/${release.id} is live already` };
  const builtBy = runs.find((r) => r.release === release!.id) ?? runs.find((r) => r.commit === release!.commit);
  const branch = defaultBranch(entry);
  const target = builtBy?.target ?? (branch ? { kind: 'branch' as const, name: branch } : null);
  if (target === null) return { refused: `no run record says which branch or tag releases/${release.id} deployed` };
  return {
    to: { commit: release.commit!, release: release.id }, target, left,
    what: `releases/${release.id} (${release.commit} ${release.subject ?? ''})`.replace(/ \)$/, ')'),
  };
}
