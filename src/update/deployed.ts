import type { GitOptions } from '../git/types.ts';
import type { Entry } from '../settings/types.ts';
import { STRATEGIES } from './strategies.ts';
import type { Strategy } from './types.ts';
import { workdirIn } from './workdir.ts';

/**
 * Where the entry's commands find what is deployed now: the strategy's live folder (the
 * checkout; `<repodir>/current` for releases; null without repodir) and the entry's workdir
 * inside it, where pre_commands, post_commands and on_failure run.
 */
export function liveWorkdir(entry: Entry): { live: string | null; workdir: string } {
  const live = STRATEGIES[entry.update].liveDir(entry);
  return { live, workdir: workdirIn(entry, live) };
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
