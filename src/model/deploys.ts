import { globMatch, isLiteral } from './glob.ts';

/** The part of an entry that decides what it deploys. */
interface DeployRule {
  name: string;
  /** Branch names or globs; empty: tags only. */
  branches: string[];
  /** false: no tags; true: every tag; a string: a glob of tag names. */
  tags: boolean | string;
}

/**
 * The deploy rule, in one place: why `rule` does not deploy the branch or tag `name` (its
 * branch patterns, its `tags`: false or a glob), or null when it does. The router, `trigger
 * --branch/--tag`, a reload and a restart (for what was accepted before) all ask here.
 */
export function whyNotDeployed(rule: DeployRule, kind: 'branch' | 'tag', name: string): string | null {
  if (kind === 'tag') {
    if (rule.tags === false) return `entry '${rule.name}' does not deploy tags (tags: false)`;
    if (typeof rule.tags === 'string' && !globMatch(rule.tags, name)) return `entry '${rule.name}' does not deploy tag '${name}' (tags: '${rule.tags}')`;
    return null;
  }
  if (!rule.branches.some((b) => globMatch(b, name))) return `entry '${rule.name}' does not deploy branch '${name}' (branch: ${rule.branches.join(', ') || '[]'})`;
  return null;
}

/** The branch an entry deploys when nothing names one (a manual run, a plain delivery without ref): its first literal branch, or null. */
export function defaultBranch(rule: DeployRule): string | null {
  return rule.branches.find(isLiteral) ?? null;
}
