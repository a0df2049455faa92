import type { StatusApi } from './types.ts';
import { githubShapedStatus } from './github-shaped-status.ts';

/**
 * Gitea and Forgejo (whose API is Gitea's): create a commit status
 * (https://docs.gitea.com/api/#tag/repository/operation/repoCreateStatus): POST
 * `<host>/api/v1/repos/{owner}/{repo}/statuses/{sha}` with `Authorization: token <token>`
 * and `{state, target_url, description, context}`, as GitHub's.
 */
export const giteaStatus: StatusApi = {
  apiBase: (web) => `${web}/api/v1`,
  request: (repo, token, update) => githubShapedStatus(repo, update, { Authorization: `token ${token}` }),
};
