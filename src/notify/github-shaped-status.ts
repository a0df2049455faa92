import type { RunResult } from '../model/names.ts';
import type { HttpRequest, StatusRepo, StatusUpdate } from './types.ts';
import { jsonRequest } from './request.ts';

/** The states GitHub, Gitea and Forgejo take: pending, success, failure, error. */
const STATE: Record<'pending' | RunResult, string> = {
  pending: 'pending', succeeded: 'success', failed: 'failure', 'timed out': 'error', interrupted: 'error',
};

/** `owner/name` as two escaped path segments. */
export function ownerRepo(fullName: string): string {
  const i = fullName.indexOf('/');
  return `${encodeURIComponent(fullName.slice(0, i))}/${encodeURIComponent(fullName.slice(i + 1))}`;
}

/**
 * The request GitHub, Gitea and Forgejo share: POST `<api>/repos/{owner}/{repo}/statuses/{sha}`
 * with `{state, target_url, description, context}`; `headers` carry the forge's own auth.
 */
export function githubShapedStatus(repo: StatusRepo, update: StatusUpdate, headers: Record<string, string>): HttpRequest {
  const body = {
    state: STATE[update.state],
    ...(update.targetUrl ? { target_url: update.targetUrl } : {}),
    description: update.description,
    context: update.context,
  };
  return jsonRequest('POST', `${repo.apiBase}/repos/${ownerRepo(repo.fullName)}/statuses/${update.sha}`, body, headers);
}
