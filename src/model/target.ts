/** What to deploy: a branch (checked out on that branch) or a tag (detached). */
export interface Target {
  kind: 'branch' | 'tag';
  name: string;
}

/** The full ref of a target: `refs/heads/<name>` or `refs/tags/<name>`. */
export function targetRef(target: Target): string {
  return `${target.kind === 'tag' ? 'refs/tags' : 'refs/heads'}/${target.name}`;
}

/** The target a full ref names (`refs/heads/…` or `refs/tags/…`), or null for any other ref. */
export function targetOfRef(ref: string): Target | null {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return null;
}

/** Whether two targets name the same branch or tag. */
export function sameTarget(a: Target, b: Target): boolean {
  return a.kind === b.kind && a.name === b.name;
}
