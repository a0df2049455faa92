import { readdirSync, statSync } from 'node:fs';
import type { Entry } from '../settings/types.ts';
import type { Target } from './types.ts';
import { checkRefName } from './check-ref-name.ts';
import { checkRepo } from './check-repo.ts';
import { clone } from './clone.ts';
import { fastForward } from './fast-forward.ts';
import { fetchTarget } from './fetch-target.ts';
import { head } from './head.ts';
import { remoteUrlNote } from './remote-url-note.ts';
import { resetTo } from './reset-to.ts';
import { updateSubmodules } from './update-submodules.ts';
import type { GitOptions, UpdateResult } from './types.ts';

/** Default ms for a whole update when opts.timeoutMs is not given. */
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * Brings `entry.repodir` to the remote tip of `target` (SPEC section 5), all through the
 * entry's git binary:
 * - `reset`: clone when repodir is missing or empty (needs cloneUrl), fetch (forced, pruned),
 *   `checkout --force -B` (tag: `--detach`), submodules when `entry.submodules`.
 * - `ff-only`: the same, but refuses with nothing changed when the checkout has local changes
 *   or diverged; moves by `merge --ff-only`.
 * - `none`: no git work; previous and commit are HEAD (null when repodir is no repository).
 * An existing checkout whose remote has another URL than cloneUrl is updated from its own
 * remote, with a `note: …` line to opts.onLine (see remoteUrlNote).
 * Never throws: a failure is `{ ok: false, message }`. `opts.timeoutMs` bounds the whole update.
 */
export async function updateCheckout(entry: Entry, target: Target, opts: GitOptions = {}): Promise<UpdateResult> {
  const o = { ...opts, deadline: Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
  const headOf = (dir: string) => head(dir, { ...o, gitBinary: entry.gitBinary });
  const repodir = entry.repodir;

  if (entry.update === 'none') {
    const now = repodir ? await headOf(repodir) : null;
    return { ok: true, previous: now, commit: now, message: null };
  }
  let previous: string | null = null;
  const fail = async (message: string): Promise<UpdateResult> => ({
    ok: false, previous, commit: repodir ? await headOf(repodir) : null, message,
    ...(opts.signal?.aborted ? { aborted: true } : {}),
    ...(Date.now() >= o.deadline ? { timedOut: true } : {}),
  });
  if (!repodir) return fail('no repodir is set');

  const badName = await checkRefName(entry, target, o);
  if (badName) return fail(badName);

  const state = dirState(repodir);
  if (state === 'file') return fail(`repodir ${repodir} is not a directory`);
  if (state !== 'full') {
    const how = state === 'missing' ? 'does not exist' : 'is empty';
    if (!entry.cloneUrl) return fail(`repodir ${repodir} ${how} and no clone_url is set`);
    const cloned = await clone(entry, entry.cloneUrl, repodir, target, o);
    if (cloned) return fail(cloned);
  }

  const notRepo = await checkRepo(entry, repodir, target, o);
  if (notRepo) return fail(notRepo);
  previous = state === 'full' ? await headOf(repodir) : null;
  if (state === 'full') {
    const note = await remoteUrlNote(entry, repodir, o);
    if (note) opts.onLine?.(`note: ${note}`);
  }

  const steps = [
    () => fetchTarget(entry, repodir, target, o),
    () => (entry.update === 'ff-only' ? fastForward : resetTo)(entry, repodir, target, o),
    () => (entry.submodules ? updateSubmodules(entry, repodir, target, o) : Promise.resolve(null)),
  ];
  for (const step of steps) {
    const problem = await step();
    if (problem) return fail(problem);
  }
  return { ok: true, previous, commit: await headOf(repodir), message: null };
}

/** What is at `dir`: nothing, an empty folder (a clone goes there), a folder with files, or a file. */
export function dirState(dir: string): 'missing' | 'empty' | 'full' | 'file' {
  try {
    if (!statSync(dir).isDirectory()) return 'file';
    return readdirSync(dir).length === 0 ? 'empty' : 'full';
  } catch {
    return 'missing';
  }
}
