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

/** scheme://host[:port] of a repository URL as its web root has it (an ssh address: https://host), or null for a local path. */
function originOf(url: string): string | null {
  const parts = splitUrl(url);
  return parts === null ? null : new URL(parts.origin).origin;
}

/**
 * Where the commit status of a run of `entry` goes: the repository the newest delivery names,
 * else the entry's `repo`; the API root is `apiUrl` when set, else what `api` makes of the
 * forge's web root. The token goes only to the forge the settings name: that web root comes
 * from the entry's `clone_url` or the checkout's remote URL (an ssh address: https://host),
 * and a delivery's repository URL is used (for its path prefix, `https://host/gitlab`) only
 * when it names the same scheme, host and port. A delivery can name any URL: whoever holds the webhook secret would get the token.
 * Returns why not when the repository or its forge cannot be told.
 */
export async function statusRepo(entry: Entry, newest: DeliveryRef | null, api: StatusApi, apiUrl: string | null): Promise<StatusRepo | string> {
  const known = entry.cloneUrl ?? (await remoteUrl(entry));
  const delivered = newest?.repositoryUrl ?? null;
  const named = newest?.repository ?? entry.repo;
  const nameUrl = delivered ?? known;
  const fullName = named !== null && /^[^/:@\s]+\/[^:@\s]+$/.test(named) && !/\.git$/i.test(named) ? named : (nameUrl === null ? null : fullNameOf(nameUrl));
  if (fullName === null) return "the repository is not known: set the entry's repo (OWNER/NAME)";
  if (apiUrl !== null) return { fullName, webBase: webBaseFrom(known, delivered, fullName), apiBase: apiUrl };
  const origin = known === null ? null : originOf(known);
  if (origin === null) return `the forge of ${fullName} is not known from the entry's clone_url or the checkout's remote URL: set commit_status.api_url`;
  // Scheme, host and port alike: another port of that host (or plain http) is not the forge.
  const other = delivered === null ? null : originOf(delivered);
  if (delivered !== null && other !== origin) {
    return `the delivery names the repository at ${other ?? 'a local path'}, not at ${origin} (from the entry's clone_url or the checkout's remote): ` +
      'the token goes only to the forge the settings name; set commit_status.api_url to send it elsewhere';
  }
  const webBase = webBaseFrom(known, delivered, fullName);
  if (webBase === null) return `the forge of ${fullName} is not known from its URL: set commit_status.api_url`;
  return { fullName, webBase, apiBase: api.apiBase(webBase) };
}

/** The web root of the delivery's URL when it names the settings' forge (or they name none), else of the settings' URL. */
function webBaseFrom(known: string | null, delivered: string | null, fullName: string): string | null {
  const origin = known === null ? null : originOf(known);
  if (delivered !== null && (origin === null || originOf(delivered) === origin)) return webBaseOf(delivered, fullName);
  return known === null ? null : webBaseOf(known, fullName);
}
