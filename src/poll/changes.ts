import { defaultBranch, whyNotDeployed } from '../model/deploys.ts';
import { refNameProblem } from '../model/ref-name.ts';
import { targetOfRef, targetRef, type Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';
import { byVersion } from './version-order.ts';

/** A branch or tag a poll found to deploy, and the commit it is at. */
export interface Change {
  target: Target;
  /** The full ref (`refs/heads/…`, `refs/tags/…`). */
  ref: string;
  commit: string;
}

/** What an entry deploys now, as a poll with nothing remembered can tell: a branch at a commit, a tag (or a detached checkout) at a commit, or nothing yet. */
export type Deployed = { kind: 'branch'; name: string; commit: string } | { kind: 'tag'; commit: string } | null;

type Rule = Pick<Entry, 'name' | 'branches' | 'tags'>;

/** The refs of `refs` (full ref → commit) that `rule` deploys, as changes; refs no deploy could use (see refNameProblem) are left out. */
function deployable(rule: Rule, refs: Map<string, string>): Change[] {
  const out: Change[] = [];
  for (const [ref, commit] of refs) {
    const target = targetOfRef(ref);
    if (target === null || refNameProblem(ref) !== null || whyNotDeployed(rule, target.kind, target.name) !== null) continue;
    out.push({ target, ref, commit });
  }
  return out;
}

/** Of `tags`, the highest by version order, or null. */
function highest(tags: Change[]): Change | null {
  return tags.reduce<Change | null>((top, t) => (top === null || byVersion(t.target.name, top.target.name) > 0 ? t : top), null);
}

/**
 * What a poll deploys given what the previous poll saw (`before`: the remote's whole ref
 * list then, full ref → commit): each branch the entry deploys whose commit moved (or that is
 * new), in name order, and, of the tags it deploys that are new or moved, the highest by
 * version order. A ref the entry begins to deploy after a reload deploys once it moves, as a
 * push would.
 */
export function changesSince(rule: Rule, refs: Map<string, string>, before: Record<string, string>): Change[] {
  const moved = deployable(rule, refs).filter((c) => before[c.ref] !== c.commit);
  const branches = moved.filter((c) => c.target.kind === 'branch').sort((a, b) => (a.ref < b.ref ? -1 : 1));
  const tag = highest(moved.filter((c) => c.target.kind === 'tag'));
  return tag ? [...branches, tag] : branches;
}

/**
 * What the first poll of an entry (nothing remembered) deploys, given what is deployed now:
 * the deployed branch (or, when it no longer deploys that one, its own branch) when the remote
 * has it at another commit; after a tag (or into a detached checkout) the highest tag, when the
 * entry deploys tags and that tag is at another commit; with nothing deployed yet, its own
 * branch, or for an entry of tags only its highest tag. At most one change.
 */
export function firstChanges(rule: Rule, refs: Map<string, string>, deployed: Deployed): Change[] {
  const all = deployable(rule, refs);
  const tag = highest(all.filter((c) => c.target.kind === 'tag'));
  const own = defaultBranch(rule);
  const onBranch = (name: string | null): Change[] => {
    const found = name === null ? undefined : all.find((c) => c.ref === targetRef({ kind: 'branch', name }));
    return found && found.commit !== deployed?.commit ? [found] : [];
  };
  if (deployed === null) return own !== null ? onBranch(own) : tag ? [tag] : [];
  if (deployed.kind === 'branch') return onBranch(whyNotDeployed(rule, 'branch', deployed.name) === null ? deployed.name : own);
  if (rule.tags === false) return onBranch(own);
  return tag && tag.commit !== deployed.commit ? [tag] : [];
}
