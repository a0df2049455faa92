import type { DeliveryRef } from '../model/run-record.ts';
import type { Entry } from '../settings/types.ts';
import { remoteUrl } from './git-look.ts';
import type { StatusApi, StatusRepo } from './types.ts';

/** A repository URL as scheme://host (no user info) and path; ssh and scp-like addresses become https. null for a local path. */
function splitUrl(url: string): { origin: string; path: string; web: boolean } | null {
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(url);
  if (scp) return { origin: `https://${scp[1]}`, path: `/${scp[2]!.replace(/^\/+/, '')}`, web: false };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return { origin: u.origin, path: u.pathname, web: true };
  if (u.protocol === 'ssh:' || u.protocol === 'git:' || u.protocol === 'git+ssh:') return { origin: `https://${u.hostname}`, path: u.pathname, web: false };
  return null;
}

const bare = (path: string): string => path.replace(/\/+$/, '').replace(/\.git$/i, '');

/**
 * The forge's web root a repository URL points into: scheme and host, and for an http(s) URL
 * the path before the repository's own (`https://host/gitlab` for `https://host/gitlab/acme/site.git`).
 */
function webBaseOf(url: string, fullName: string): string | null {
  const parts = splitUrl(url);
  if (parts === null) return null;
  const path = bare(parts.path);
  const own = `/${fullName}`.toLowerCase();
  const prefix = parts.web && path.toLowerCase().endsWith(own) ? path.slice(0, path.length - own.length) : '';
  return parts.origin + prefix;
}

/** OWNER/NAME as a repository URL's path says (Bitbucket Server's /scm/ left out), or null. */
function fullNameOf(url: string): string | null {
  const parts = splitUrl(url);
  const path = parts === null ? '' : bare(parts.path).replace(/^\/+/, '').replace(/^scm\//i, '');
  return path.includes('/') ? path : null;
}

/**
 * Where the commit status of a run of `entry` goes: the repository the newest delivery names
 * (and its URL), else the entry's `repo` and its `clone_url` or the checkout's remote URL.
 * The API root is `apiUrl` when set, else what `api` makes of the web root. Returns why not
 * when the repository or its forge cannot be told.
 */
export async function statusRepo(entry: Entry, newest: DeliveryRef | null, api: StatusApi, apiUrl: string | null): Promise<StatusRepo | string> {
  const url = newest?.repositoryUrl ?? entry.cloneUrl ?? (await remoteUrl(entry));
  const named = newest?.repository ?? entry.repo;
  const fullName = named !== null && /^[^/:@\s]+\/[^:@\s]+$/.test(named) && !/\.git$/i.test(named) ? named : (url === null ? null : fullNameOf(url));
  if (fullName === null) return "the repository is not known: set the entry's repo (OWNER/NAME)";
  const webBase = url === null ? null : webBaseOf(url, fullName);
  const apiBase = apiUrl ?? (webBase === null ? null : api.apiBase(webBase));
  if (apiBase === null) return `the forge of ${fullName} is not known from its URL: set commit_status.api_url`;
  return { fullName, webBase, apiBase };
}
