import type { NotifyEvent, RunResult, Trigger } from '../model/names.ts';

/** One HTTP request to a chat service or a forge's API, built whole before it is sent. */
export interface HttpRequest {
  method: 'POST' | 'PUT';
  url: string;
  /** Names as the service documents them; values ASCII (fetch sends ByteStrings). */
  headers: Record<string, string>;
  /** The body as sent: JSON text, or plain text (ntfy). */
  body: string;
}

/**
 * What a notification says about a run: the event model every format renders. Times are ISO
 * 8601, durations ms; null where it is not known (yet).
 */
export interface Announcement {
  /** What happened; 'test' for `whauto notify --test`. */
  event: NotifyEvent | 'test';
  entry: string;
  /** The run's result; 'running' for started (and a test). */
  result: RunResult | 'running';
  trigger: Trigger;
  /** Full ref: refs/heads/main, refs/tags/v1. */
  ref: string;
  /** The branch or tag name. */
  target: string;
  /** The commit deployed (or being deployed), and the one before. */
  commit: string | null;
  previous: string | null;
  /** The first line of the commit's message. */
  subject: string | null;
  pusher: string | null;
  /** OWNER/NAME, as the delivery or the entry's repo says. */
  repository: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** The step that failed, as `kind: name` (commands: npm ci). */
  failedStep: string | null;
  /** One line saying why the run did not succeed. */
  message: string | null;
  /** This machine's name. */
  host: string;
  runId: string;
  /** The last lines of the run's log (at most 20 lines, 2 KB) when it did not succeed. */
  logTail: string[] | null;
}

/** A notify target as a format needs it: its URL and token, read. */
interface Destination {
  url: string;
  token: string | null;
}

/** One message format (`notify` target `format`): how an announcement goes to that service. */
export interface Format {
  /** Builds the request. Throws Error (never naming the URL) for a URL it cannot use. */
  request(to: Destination, a: Announcement): HttpRequest;
}

/** A commit status to set: pending while the run goes, then its result. */
export interface StatusUpdate {
  state: 'pending' | RunResult;
  /** The commit id (hex). */
  sha: string;
  /** The status's name on the forge (commit_status `context`). */
  context: string;
  /** One short line (cut to 140 characters). */
  description: string;
  targetUrl: string | null;
}

/** Where a commit status goes. */
export interface StatusRepo {
  /** OWNER/NAME (GitLab: the project's whole path; Bitbucket Server: PROJECT/slug). */
  fullName: string;
  /** The forge's web root (https://github.com, https://git.example.com/gitlab); null when not known. */
  webBase: string | null;
  /** The API root the StatusApi's paths start from (https://api.github.com, https://ghe.example.com/api/v3). */
  apiBase: string;
}

/** One forge's commit status API. */
export interface StatusApi {
  /** The API root of a forge whose web root is `webBase`. */
  apiBase(webBase: string): string;
  /** Builds the request that sets `update` on `repo` with `token`. */
  request(repo: StatusRepo, token: string, update: StatusUpdate): HttpRequest;
}
