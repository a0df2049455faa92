// Looks at a release deploy root (repo/, releases/<id>/, shared/, current) for tests.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './git.ts';
import { whauto as runWhauto } from './run.ts';

/** What a release id looks like: UTC time to the second, a dash, the commit's first 7 hex digits. */
export const RELEASE_ID = /^\d{8}T\d{6}Z-[0-9a-f]{7}$/;

/** The release folder names under `<root>/releases`, oldest first ([] before the first). */
export function releaseIds(root: string): string[] {
  const dir = join(root, 'releases');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** What `<root>/current` points at, as written (`releases/<id>`); null when there is no link. */
export function currentLink(root: string): string | null {
  try {
    return readlinkSync(join(root, 'current'));
  } catch {
    return null;
  }
}

/** The release ids repo/ marks built (its refs/whauto/releases/*), sorted, each with its commit. */
export function builtRefs(root: string): Array<{ id: string; commit: string }> {
  const out = git(join(root, 'repo'), 'for-each-ref', '--format=%(refname:lstrip=3) %(objectname)', 'refs/whauto/releases/');
  return out.split('\n').filter(Boolean).map((l) => ({ id: l.split(' ')[0]!, commit: l.split(' ')[1]! })).sort((a, b) => a.id.localeCompare(b.id));
}

/** Runs `whauto ...args` (the built binary) and returns its exit code and output. */
export function whauto(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = runWhauto(args, { env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
