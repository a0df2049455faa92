import type { RunResult } from '../model/names.ts';
import type { StatusApi } from './types.ts';
import { jsonRequest } from './request.ts';

/** GitLab's states: a run going is `running`; it knows no `error`, so a timeout is `failed` and an interrupted run `canceled`. */
const STATE: Record<'pending' | RunResult, string> = {
  pending: 'running', succeeded: 'success', failed: 'failed', 'timed out': 'failed', interrupted: 'canceled',
};

/**
 * GitLab: set the pipeline status of a commit
 * (https://docs.gitlab.com/ee/api/commits.html#set-the-pipeline-status-of-a-commit): POST
 * `<host>/api/v4/projects/{id}/statuses/{sha}`, the id being the project's URL-encoded path,
 * with `PRIVATE-TOKEN: <token>` and `{state, name, target_url, description}`.
 */
export const gitlabStatus: StatusApi = {
  apiBase: (web) => `${web}/api/v4`,
  request(repo, token, update) {
    const body = {
      state: STATE[update.state],
      name: update.context,
      ...(update.targetUrl ? { target_url: update.targetUrl } : {}),
      description: update.description,
    };
    const url = `${repo.apiBase}/projects/${encodeURIComponent(repo.fullName)}/statuses/${update.sha}`;
    return jsonRequest('POST', url, body, { 'PRIVATE-TOKEN': token });
  },
};
