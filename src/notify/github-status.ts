import type { StatusApi } from './types.ts';
import { githubShapedStatus } from './github-shaped-status.ts';

/**
 * GitHub and GitHub Enterprise Server: create a commit status
 * (https://docs.github.com/en/rest/commits/statuses#create-a-commit-status): POST
 * `/repos/{owner}/{repo}/statuses/{sha}` with a token (`Authorization: Bearer`), the
 * `application/vnd.github+json` media type and API version 2022-11-28. The API of github.com
 * is api.github.com; of an Enterprise server `<host>/api/v3`.
 */
export const githubStatus: StatusApi = {
  apiBase: (web) => (/^https:\/\/(www\.)?github\.com$/i.test(web) ? 'https://api.github.com' : `${web}/api/v3`),
  request: (repo, token, update) => githubShapedStatus(repo, update, {
    Accept: 'application/vnd.github+json',
    Authorization: `Bearer ${token}`,
    'X-GitHub-Api-Version': '2022-11-28',
  }),
};
