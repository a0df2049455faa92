import type { RunRecord } from '../model/run-record.ts';
import type { Entry } from '../settings/types.ts';
import { entryReleases } from '../update/releases.ts';
import { changedDeployed } from '../update/rollback-choice.ts';

/** A rollback in effect: what it went back to and from (commits), and its run. */
interface RolledBack {
  run: string;
  to: string | null;
  was: string | null;
  /** update: release: the release it switched to. */
  release: string | null;
  /** The rollback run's result: not `succeeded` when it went back and then failed (its post_commands). */
  result: string;
  /** Why it failed, when it did. */
  message: string | null;
}

/**
 * The rollback in effect for the finished runs `runs` (newest first): the newest run that
 * changed what is deployed (changedDeployed: one that succeeded, or failed after going back),
 * when it has trigger rollback (the next deploy ends it); else null.
 */
export function rollbackInEffect(runs: RunRecord[]): RolledBack | null {
  const last = runs.find(changedDeployed);
  if (!last || last.trigger !== 'rollback') return null;
  return { run: last.id, to: last.commit, was: last.previous, release: last.release ?? null, result: last.result, message: last.message };
}

/** One release on disk as status shows it. */
interface ReleaseRow {
  id: string;
  commit: string | null;
  subject: string | null;
  /** The result of the run that built it (`running` while it builds), or `built` / `incomplete` when no record says. */
  result: string;
  live: boolean;
}

/**
 * The release folders of a release entry, newest first, each with its commit, subject, the
 * result of the run that built it (its record names the release) and whether it is live;
 * null for entries of other update modes; a problem when they cannot be read.
 */
export async function releaseRows(entry: Entry, runs: RunRecord[]): Promise<ReleaseRow[] | { problem: string } | null> {
  const found = await entryReleases(entry);
  if (found === null) return null;
  if ('message' in found) return { problem: found.message };
  return found.releases.map((r) => {
    // A rollback to the release names it too: its result is not the build's.
    const run = runs.find((x) => x.release === r.id && x.trigger !== 'rollback');
    const result = run?.result ?? (r.complete ? 'built' : 'incomplete');
    return { id: r.id, commit: r.commit, subject: r.subject, result, live: r.live };
  });
}

/** The lines `status` prints for a rollback in effect and for the releases on disk. */
export function deploysText(rolledBack: RolledBack | null, releases: ReleaseRow[] | { problem: string } | null): string[] {
  const lines: string[] = [];
  const short = (c: string | null) => (c ?? '?').slice(0, 10);
  if (rolledBack) {
    const at = rolledBack.release ? `, releases/${rolledBack.release}` : '';
    const failed = rolledBack.result === 'succeeded' ? '' : ` (${rolledBack.result}${rolledBack.message ? `: ${rolledBack.message}` : ''})`;
    lines.push(`  rolled back to ${short(rolledBack.to)} (was ${short(rolledBack.was)})${at}, by run ${rolledBack.run}${failed}, until the next deploy`);
  }
  if (releases === null) return lines;
  if ('problem' in releases) return [...lines, `  releases: ${releases.problem}`];
  if (releases.length === 0) return [...lines, '  no releases on disk yet'];
  lines.push('  releases on disk (newest first; * live):');
  for (const r of releases) {
    const result = r.result === 'incomplete' ? 'incomplete (left by a cut-off run; the next run removes it)' : r.result;
    lines.push(`  ${r.live ? '*' : ' '} ${r.id}  ${short(r.commit).padEnd(10)}  ${result.padEnd(11)}  ${r.subject ?? ''}`.trimEnd());
  }
  return lines;
}
