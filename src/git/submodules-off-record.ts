import type { Entry } from '../settings/types.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';

/**
 * The paths (relative to `dir`) of the submodules, at any depth, whose checkout is not at the
 * commit their superproject records, or not there at all: `git submodule status --recursive`,
 * its lines marked `+` (another commit) or `-` (not checked out). Null when git cannot tell
 * (a submodule so broken that git stops). Never throws.
 */
export async function submodulesOffRecord(
  entry: Pick<Entry, 'gitBinary' | 'sshKey'>,
  dir: string,
  opts: GitOptions & { deadline?: number },
): Promise<string[] | null> {
  const r = await runGit(entry, ['submodule', 'status', '--recursive'], dir, { ...opts, show: false });
  if (!r.ok) return null;
  // "<mark><commit> <path>[ (<describe>)]"
  return r.lines.map((l) => /^[+-][0-9a-f]+ (.*?)(?: \([^()]*\))?$/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
}
