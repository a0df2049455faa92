/**
 * The repository path named by a git or web URL, without leading '/' and trailing '.git':
 * 'https://host/group/sub/repo.git', 'ssh://git@host:2222/group/repo.git' and scp-style
 * 'git@host:group/repo.git' all give 'group/…/repo'. Null when nothing path-like is there.
 */
export function urlPath(url: string): string | null {
  let path: string;
  const scp = /^[^/@:]+@[^/:]+:(?!\/)(.+)$/.exec(url);
  if (scp !== null && !url.includes('://')) {
    path = scp[1] ?? '';
  } else {
    try {
      path = new URL(url).pathname;
    } catch {
      return null;
    }
  }
  path = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  return path.includes('/') ? path : null;
}
