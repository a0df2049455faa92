import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StepKind } from '../model/names.ts';

/**
 * Where a command of `kind` runs. `deployed`: the folder holding what is deployed (the
 * checkout; `<repodir>/current`), the entry's workdir in it and the repodir (`root`) (see
 * liveWorkdir); `planWorkdir`: where the update's plan runs the commands (a new release),
 * when it says. commands run there (else in the workdir), post_commands in the workdir (after
 * a release's switch, the new one). pre_commands and on_failure run in the workdir too, but
 * while nothing is deployed (before the first deploy has cloned the checkout or made a
 * release, or when that failed: the live folder is missing or empty) in the nearest folder
 * above the workdir that exists, never above the repodir, which a run makes before
 * pre_commands (so a relative command acts there, not on a parent such as /srv).
 */
export function commandCwd(kind: Exclude<StepKind, 'git'>, deployed: { live: string | null; workdir: string; root: string | null }, planWorkdir?: string): string {
  if (kind === 'commands') return planWorkdir ?? deployed.workdir;
  if (kind === 'post_commands') return deployed.workdir;
  const { live, workdir, root } = deployed;
  if (existsSync(workdir) || live === null || holdsFiles(live)) return workdir;
  let dir = workdir;
  while (dir !== root && !existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Whether `dir` is a folder with something in it (a checkout, or the release `current` points at). */
function holdsFiles(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
