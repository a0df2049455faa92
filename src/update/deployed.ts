import type { GitOptions } from '../git/types.ts';
import { REPODIR_HOLDS } from '../model/names.ts';
import type { Entry } from '../settings/types.ts';
import { STRATEGIES } from './strategies.ts';
import type { Strategy } from './types.ts';
import { workdirIn } from './workdir.ts';

/**
 * Where the entry's commands find what is deployed now: the strategy's live folder (the
 * checkout; `<repodir>/current` for releases; null without repodir), the entry's workdir
 * inside it, where pre_commands, post_commands and on_failure run, and `root`: the repodir the
 * update keeps things in (null for update: none), which a run makes before pre_commands.
 */
export function liveWorkdir(entry: Entry): { live: string | null; workdir: string; root: string | null } {
  const live = STRATEGIES[entry.update].liveDir(entry);
  return { live, workdir: workdirIn(entry, live), root: REPODIR_HOLDS[entry.update] === 'nothing' ? null : entry.repodir };
}

/** The commit the entry has deployed now (see Strategy.deployed); null when none or unknown. Never throws. */
export async function deployedCommit(entry: Entry, git: GitOptions = {}): Promise<string | null> {
  try {
    return await STRATEGIES[entry.update].deployed(entry, git);
  } catch {
    return null;
  }
}

/** How `whauto rollback` goes back with the entry's update mode (see Strategy.rollback). */
export function rollbackHow(entry: Entry): Strategy['rollback'] {
  return STRATEGIES[entry.update].rollback;
}
