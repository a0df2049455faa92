import { countCommits, showCommits } from '../git/local-commits.ts';
import { showPaths } from '../git/show-paths.ts';
import { inCheckout, planInPlace, type InPlaceMode } from './in-place.ts';
import { failure } from './failure.ts';
import { gitStep } from './move.ts';
import { clearCommand, whyInTheWay } from './other-branches.ts';
import type { Strategy } from './types.ts';

/**
 * `update: reset`: the checkout becomes the tip, whatever the server changed. Branch: `git
 * checkout --force -B <b> <tip> --` (HEAD on the branch); tag: `git checkout --force --detach
 * <tip> --`. Changes to tracked files and the index are discarded, and so are commits only the
 * checkout had: each is named in the run log first. Untracked and ignored files stay (no
 * `git clean`), and so do files staged but never committed (unstaged first); the shared look
 * refuses a commit that would overwrite them. A local branch in
 * the way of the target's (`feat` before `feat/x`) is deleted (HEAD detached from it first) when
 * its commits are all on the remote or in the tip, else refused; a branch HEAD leaves keeps its
 * commits, and the run log names those that leave the live tree.
 */
const reset: InPlaceMode = {
  mode: 'reset',
  hooks: ['post-checkout', 'reference-transaction'],
  async judge(ctx, at) {
    const notes: string[] = [];
    const kept = stagedNew(at);
    const changed = [...at.changes.filter((c) => !kept.includes(c.path)).map((c) => c.path), ...at.changedInLeftovers];
    if (changed.length > 0) notes.push(`update reset discards the local changes to ${showPaths(changed)}`);
    if (kept.length > 0) notes.push(`update reset unstages ${showPaths(kept)} (staged, never committed, not in the new commit): the files stay, as the server's own`);
    if (at.commits.commits.length > 0) notes.push(`update reset discards ${countCommits(at.commits)} only the checkout had: ${showCommits(at.commits)}`);
    const { repodir } = at.look;
    const { target, entry } = ctx;
    for (const b of at.others.inTheWay) {
      if (b.commits.commits.length > 0) {
        return { refusal: failure(`branch ${b.branch} in ${repodir} is ${whyInTheWay(ctx)}, and has ${countCommits(b.commits)} never fetched from ${entry.remote}: ${showCommits(b.commits)}; ` +
          `update reset refuses (deleting it would drop them). To ${clearCommand(repodir, b)}, and deploy again`), notes };
      }
      notes.push(`update reset deletes branch ${b.branch}, ${whyInTheWay(ctx)}; its commits were all fetched from ${entry.remote}`);
    }
    const left = at.others.left;
    if (left && left.commits.commits.length > 0) {
      const one = left.commits.commits.length === 1 && !left.commits.more;
      notes.push(`update reset moves HEAD off branch ${left.branch} and takes out of the live tree its ${countCommits(left.commits)} not in ${target.kind} ${target.name} ` +
        `and never fetched from ${entry.remote} (${one ? 'it stays' : 'they stay'} on branch ${left.branch}): ${showCommits(left.commits)}`);
    }
    return { refusal: null, notes };
  },
  move(ctx, at) {
    const { target } = ctx;
    const { repodir } = at.look;
    const args = target.kind === 'tag'
      ? ['checkout', '--force', '--detach', at.tip, '--']
      : ['checkout', '--force', '-B', target.name, at.tip, '--'];
    // HEAD leaves a branch in the way before it goes (git deletes no branch HEAD is on); the files move last.
    const head = at.others.inTheWay.find((b) => b.head);
    const kept = stagedNew(at);
    return [
      // A file staged but never committed would go with the index: out of the index first, it stays.
      ...(kept.length > 0 ? [gitStep(ctx, repodir, ['--literal-pathspecs', 'rm', '--cached', '-q', '--', ...kept], {
        name: `unstage ${showPaths(kept)} (the files stay)`, reads: 'the index', changes: 'the index', step: 'rm --cached',
      })] : []),
      ...(head ? [gitStep(ctx, repodir, ['checkout', '--detach'], {
        name: `detach HEAD from branch ${head.branch} (the files stay)`, reads: 'HEAD', changes: 'HEAD', step: 'checkout --detach',
      })] : []),
      ...at.others.inTheWay.map((b) => gitStep(ctx, repodir, ['branch', '-D', b.branch], {
        name: `delete branch ${b.branch} (in the way of branch ${target.name})`, reads: `branch ${b.branch}`, changes: `branch ${b.branch}`, step: 'branch -D',
      })),
      gitStep(ctx, repodir, args, {
        name: `check out ${target.kind === 'tag' ? `tag ${target.name} (detached)` : `branch ${target.name}`} at ${at.tip} (discarding local changes)`,
        reads: at.tip, changes: `the work tree, the index and ${target.kind === 'tag' ? 'HEAD' : `branch ${target.name}`}`, step: 'checkout',
      }),
    ];
  },
};

/**
 * Files staged as new and still on disk (git status `A`): never committed, so `checkout --force`
 * would delete them with the index. Those the tip tracks were refused as in the way (see
 * addedPaths); the rest are unstaged before the move and stay as the server's own.
 */
function stagedNew(at: { changes: Array<{ path: string; index: string; tree: string }> }): string[] {
  return at.changes.filter((c) => c.index === 'A' && c.tree !== 'D').map((c) => c.path);
}

export const resetStrategy: Strategy = { mode: 'reset', rollback: 'deploy', plan: (ctx) => planInPlace(ctx, reset), ...inCheckout };
