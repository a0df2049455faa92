import { globMatch } from './glob.ts';
import type { Entry } from './types.ts';

/**
 * Why `entry` does not deploy the branch or tag `name` (its `branch` patterns, its `tags`:
 * false or a glob), or null when it does. For what was accepted under older settings (a
 * waiting run after a reload or a restart) and for `trigger --branch/--tag`.
 */
export function whyNotDeployed(entry: Entry, kind: 'branch' | 'tag', name: string): string | null {
  if (kind === 'tag') {
    if (entry.tags === false) return `entry '${entry.name}' does not deploy tags (tags: false)`;
    if (typeof entry.tags === 'string' && !globMatch(entry.tags, name)) return `tag '${name}' does not match the entry's tags: '${entry.tags}'`;
    return null;
  }
  if (!entry.branches.some((b) => globMatch(b, name))) return `entry '${entry.name}' does not deploy branch '${name}' (branch: ${entry.branches.join(', ') || '[]'})`;
  return null;
}
