import type { RunResult } from '../model/names.ts';
import type { StatusApi } from './types.ts';
import { jsonRequest } from './request.ts';
import { ownerRepo } from './github-shaped-status.ts';

const STATE: Record<'pending' | RunResult, string> = {
  pending: 'INPROGRESS', succeeded: 'SUCCESSFUL', failed: 'FAILED', 'timed out': 'FAILED', interrupted: 'STOPPED',
};

/**
 * A token as Bitbucket takes it: an access token as `Bearer`; `user:app-password` (or
 * `email:api-token`) as HTTP Basic.
 */
function authorization(token: string): string {
  return token.includes(':') ? `Basic ${Buffer.from(token, 'utf8').toString('base64')}` : `Bearer ${token}`;
}

/**
 * Bitbucket Cloud: create a build status for a commit
 * (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-commit-statuses/#api-repositories-workspace-repo-slug-commit-commit-statuses-build-post):
 * POST `https://api.bitbucket.org/2.0/repositories/{workspace}/{repo}/commit/{sha}/statuses/build`
 * with `{key, state, name, url, description}`; `url` is required: target_url, else the
 * commit's page.
 */
export const bitbucketStatus: StatusApi = {
  apiBase: (web) => (/^https:\/\/(www\.)?bitbucket\.org$/i.test(web) ? 'https://api.bitbucket.org' : web),
  request(repo, token, update) {
    const body = {
      key: update.context,
      state: STATE[update.state],
      name: update.context,
      url: update.targetUrl ?? `${repo.webBase ?? 'https://bitbucket.org'}/${repo.fullName}/commits/${update.sha}`,
      description: update.description,
    };
    const url = `${repo.apiBase}/2.0/repositories/${ownerRepo(repo.fullName)}/commit/${update.sha}/statuses/build`;
    return jsonRequest('POST', url, body, { Authorization: authorization(token) });
  },
};
