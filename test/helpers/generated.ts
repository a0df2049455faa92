// Files the build generates and the repository commits (schema/settings.schema.json): the
// build rewrites them before the tests run, so only git can tell that the committed copy is stale.
import { fileURLToPath } from 'node:url';
import { runProcess } from './run.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Whether `file` (relative to the repository root) is as committed. 'committed': it is;
 * 'changed': it differs from the commit while src/ does not (the build regenerated it from
 * sources already committed: the commit holds a stale copy), with git's diff; 'unknown': not a
 * git checkout, or src/ has uncommitted changes (the fresh copy goes with them).
 */
export function committedState(file: string): { state: 'committed' } | { state: 'changed'; diff: string } | { state: 'unknown'; why: string } {
  const git = (...args: string[]) => runProcess('git', ['-C', ROOT, ...args]);
  if (git('rev-parse', '--verify', '-q', 'HEAD').status !== 0) return { state: 'unknown', why: 'not a git checkout with a commit' };
  const src = git('status', '--porcelain', '--', 'src');
  if (src.stdout.trim() !== '') return { state: 'unknown', why: 'src/ has uncommitted changes; the committed copy is checked on a clean checkout' };
  const diff = git('diff', 'HEAD', '--', file);
  const untracked = git('ls-files', '--error-unmatch', '--', file).status !== 0;
  if (untracked) return { state: 'changed', diff: `${file} is not committed` };
  return diff.stdout === '' ? { state: 'committed' } : { state: 'changed', diff: diff.stdout };
}
