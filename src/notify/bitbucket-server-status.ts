import type { RunResult } from '../model/names.ts';
import type { StatusApi } from './types.ts';
import { jsonRequest } from './request.ts';

/** The build-status 1.0 API knows three states. */
const STATE: Record<'pending' | RunResult, string> = {
  pending: 'INPROGRESS', succeeded: 'SUCCESSFUL', failed: 'FAILED', 'timed out': 'FAILED', interrupted: 'FAILED',
};

/**
 * Bitbucket Server and Data Center: a commit's build status
 * (https://developer.atlassian.com/server/bitbucket/how-tos/updating-build-status-for-commits/):
 * POST `<host>/rest/build-status/1.0/commits/{sha}` with an HTTP access token
 * (`Authorization: Bearer`) and `{state, key, name, url, description}`; `url` is required:
 * target_url, else the commit's page. Its clone URLs hold `/scm/`, which the web root does not.
 */
export const bitbucketServerStatus: StatusApi = {
  apiBase: (web) => web.replace(/\/scm$/i, ''),
  request(repo, token, update) {
    const [project, slug] = repo.fullName.split('/').map(encodeURIComponent);
    const web = repo.webBase?.replace(/\/scm$/i, '') ?? repo.apiBase;
    const body = {
      state: STATE[update.state],
      key: update.context,
      name: update.context,
      url: update.targetUrl ?? `${web}/projects/${project}/repos/${slug}/commits/${update.sha}`,
      description: update.description,
    };
    return jsonRequest('POST', `${repo.apiBase}/rest/build-status/1.0/commits/${update.sha}`, body, { Authorization: `Bearer ${token}` });
  },
};
