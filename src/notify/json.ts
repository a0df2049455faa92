import type { Announcement, Format } from './types.ts';
import { bearer, jsonRequest } from './request.ts';

/** The version of the `json` payload: raised when a field changes meaning or goes (a new field does not raise it). */
const JSON_PAYLOAD_VERSION = 1;

/** The `json` format's body: every field of the announcement, snake_case, versioned (see docs/notifications.md). */
export function jsonPayload(a: Announcement): Record<string, unknown> {
  return {
    version: JSON_PAYLOAD_VERSION,
    event: a.event,
    entry: a.entry,
    result: a.result,
    trigger: a.trigger,
    ref: a.ref,
    commit: a.commit,
    previous_commit: a.previous,
    commit_subject: a.subject,
    pusher: a.pusher,
    repository: a.repository,
    started_at: a.startedAt,
    finished_at: a.finishedAt,
    duration_ms: a.durationMs,
    failed_step: a.failedStep,
    message: a.message,
    host: a.host,
    run_id: a.runId,
    log_tail: a.logTail,
  };
}

/** `json`: POST the payload to any URL, with `Authorization: Bearer <token>` when a token is given. */
export const json: Format = {
  request: (to, a) => jsonRequest('POST', to.url, jsonPayload(a), bearer(to.token)),
};
