import { localCommits, type CommitLine } from '../git/local-commits.ts';
import type { CheckoutLook } from './look.ts';
import type { UpdateContext } from './types.ts';

/** A local branch other than the target's that an update in place moves HEAD off or must delete. */
export interface OtherBranch {
  /** Its name (`hotfix`, not `refs/heads/hotfix`). */
  branch: string;
  /** HEAD is on it now. */
  head: boolean;
  /** Its commits never fetched from the remote: neither the tip nor a remote-tracking ref of the entry's remote (as before the fetch) contains them. */
  commits: { commits: CommitLine[]; more: boolean };
}

/**
 * The local branches an update of `look`'s checkout to `tip` touches besides the target's:
 * those in the way of the target's branch (`feat` before `feat/x`: git cannot keep both), and
 * the branch HEAD is on when the update moves HEAD off it (`left`; it stays, with its commits,
 * out of the live tree). Each with its commits of its own: `git log <branch> --not <tip>
 * --remotes=<remote>` and the commits the remote-tracking refs the fetch moves or drops named
 * before it (the remote had them then). No git runs when there is
 * neither (HEAD on the target's branch). Null when git fails. Never throws.
 */
export async function otherBranches(ctx: UpdateContext, look: CheckoutLook, tip: string): Promise<{ inTheWay: OtherBranch[]; left: OtherBranch | null } | null> {
  const { entry, git } = ctx;
  const { facts, localRef } = look;
  const known = [
    ...(look.fetchedBefore ? [look.fetchedBefore] : []),
    // What a remote-tracking ref the fetch drops named: the remote had it then.
    ...look.inTheWay.fetched.map((ref) => facts.refs.get(ref)!),
    `--remotes=${entry.remote}`,
  ];
  const named = async (ref: string): Promise<OtherBranch | null> => {
    const commits = await localCommits(entry, look.repodir, [ref], tip, known, git);
    return commits && { branch: ref.slice('refs/heads/'.length), head: facts.headRef === ref, commits };
  };
  const leaves = facts.headRef !== null && facts.headRef.startsWith('refs/heads/') && facts.headRef !== localRef && !look.inTheWay.local.includes(facts.headRef);
  const [inTheWay, left] = await Promise.all([Promise.all(look.inTheWay.local.map(named)), leaves ? named(facts.headRef!) : null]);
  if (inTheWay.some((b) => b === null) || (leaves && left === null)) return null;
  return { inTheWay: inTheWay as OtherBranch[], left };
}

/** The git command that clears branch `b` out of the way in `repodir`: a rename that keeps its own commits, else its deletion. */
export function clearCommand(repodir: string, b: OtherBranch): string {
  if (b.commits.commits.length > 0) return `keep them under another name: git -C ${repodir} branch -m ${b.branch} <new name>`;
  return `delete it: ${b.head ? `git -C ${repodir} checkout --detach && ` : ''}git -C ${repodir} branch -D ${b.branch}`;
}

/** "in the way of branch feat/x (…)": why branch `b` must go before the target's can be. */
export function whyInTheWay(ctx: UpdateContext): string {
  return `in the way of branch ${ctx.target.name} (git cannot keep both: one's name is a folder of the other's)`;
}
