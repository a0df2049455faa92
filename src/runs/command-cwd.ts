import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StepKind } from '../model/names.ts';

/**
 * Where a command of `kind` runs. `deployed`: the folder holding what is deployed (the
 * checkout; `<repodir>/current`) and the entry's workdir in it (see liveWorkdir);
 * `planWorkdir`: where the update's plan runs the commands (a new release), when it says.
 * commands run there (else in the workdir), post_commands in the workdir (after a release's
 * switch, the new one). pre_commands and on_failure run in the workdir too, but while nothing
 * is deployed (before the first deploy has cloned the checkout or made a release, or when that
 * failed: the live folder does not exist) in the nearest existing folder above the live one,
 * so that an entry with pre_commands and a clone_url can make its first deploy.
 */
export function commandCwd(kind: Exclude<StepKind, 'git'>, deployed: { live: string | null; workdir: string }, planWorkdir?: string): string {
  if (kind === 'commands') return planWorkdir ?? deployed.workdir;
  if (kind === 'post_commands') return deployed.workdir;
  const { live, workdir } = deployed;
  if (existsSync(workdir) || live === null || existsSync(live)) return workdir;
  let dir = dirname(live);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
