import os from 'node:os';
import type { Entry } from '../settings/types.ts';
import { targetRef, type Target } from '../model/target.ts';
import { runGit } from './run-git.ts';
import type { GitOptions } from './types.ts';


/**
 * Null when the target's name is a valid git ref name (`git check-ref-format`), else a
 * message. Names reach git only inside refspecs and option values, so this is a second
 * guard: it refuses ':', spaces, '..' and the like (and branches starting with '-') before any
 * git step runs.
 */
export async function checkRefName(entry: Pick<Entry, 'gitBinary' | 'sshKey'>, target: Target, opts: GitOptions): Promise<string | null> {
  const bad = `invalid ${target.kind} name ${JSON.stringify(target.name)}`;
  if (target.name === '') return bad;
  // git itself refuses local branches named '-…' (checkout -B would fail later).
  if (target.kind === 'branch' && target.name.startsWith('-')) return `${bad}: starts with '-'`;
  const r = await runGit(entry, ['check-ref-format', targetRef(target)], os.tmpdir(), { ...opts, show: false });
  if (r.error) return r.error;
  return r.ok ? null : bad;
}
