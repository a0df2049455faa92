import { showCommits } from '../git/local-commits.ts';
import { showPaths } from '../git/show-paths.ts';
import { planInPlace, type InPlaceMode } from './in-place.ts';
import { gitStep } from './move.ts';
import type { Strategy } from './types.ts';

/**
 * `update: reset`: the checkout becomes the tip, whatever the server changed. Branch: `git
 * checkout --force -B <b> <tip> --` (HEAD on the branch); tag: `git checkout --force --detach
 * <tip> --`. Changes to tracked files and the index are discarded, and so are commits only the
 * checkout had: each is named in the run log first. Untracked and ignored files stay (no
 * `git clean`); the shared look refuses a commit that would overwrite them.
 */
const reset: InPlaceMode = {
  mode: 'reset',
  hooks: ['post-checkout', 'reference-transaction'],
  async judge(_ctx, at) {
    const notes: string[] = [];
    const changed = [...at.changes.map((c) => c.path), ...at.changedInLeftovers];
    if (changed.length > 0) notes.push(`update reset discards the local changes to ${showPaths(changed)}`);
    const n = at.commits.commits.length;
    if (n > 0) {
      notes.push(`update reset discards ${at.commits.more ? `more than ${n}` : n} commit${n === 1 && !at.commits.more ? '' : 's'} only the checkout had: ${showCommits(at.commits)}`);
    }
    return { refusal: null, notes };
  },
  move(ctx, at) {
    const { target } = ctx;
    const args = target.kind === 'tag'
      ? ['checkout', '--force', '--detach', at.tip, '--']
      : ['checkout', '--force', '-B', target.name, at.tip, '--'];
    return [gitStep(ctx, at.look.repodir, args, {
      name: `check out ${target.kind === 'tag' ? `tag ${target.name} (detached)` : `branch ${target.name}`} at ${at.tip} (discarding local changes)`,
      reads: at.tip, changes: `the work tree, the index and ${target.kind === 'tag' ? 'HEAD' : `branch ${target.name}`}`, step: 'checkout',
    })];
  },
};

export const resetStrategy: Strategy = { mode: 'reset', plan: (ctx) => planInPlace(ctx, reset) };
