/**
 * The closed sets of names every layer shares: forges, update modes, triggers, results and
 * step kinds. A `Record<Name, …>` over one of them makes the compiler list every place a new
 * name must be handled.
 */

/** The forges an entry's `provider` may name. */
export const PROVIDERS = [
  'github', 'gitlab', 'gitea', 'forgejo', 'gogs', 'bitbucket', 'bitbucket-server', 'plain',
] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** How a checkout is brought to the pushed commit (the entry's `update`). */
export const UPDATE_MODES = ['reset', 'ff-only', 'none', 'release'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

/**
 * What each update mode keeps in repodir: a git checkout it updates in place, the release
 * layout (repo/, releases/<id>/, shared/, current), or nothing of whauto's.
 */
export const REPODIR_HOLDS: Record<UpdateMode, 'checkout' | 'releases' | 'nothing'> = {
  reset: 'checkout',
  'ff-only': 'checkout',
  none: 'nothing',
  release: 'releases',
};

/** The folder under a release entry's repodir that holds its git store (`repo/`). */
export const RELEASE_STORE = 'repo';

/**
 * What started a run: a delivery, `whauto trigger`, the next start after a crash cut a run
 * off, a poll that saw a new tip, `whauto rollback`.
 */
export const TRIGGERS = ['webhook', 'manual', 'resumed', 'poll', 'rollback'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/**
 * How one poll of an entry's remote went: it queued a run, found nothing new to deploy (the
 * tips are deployed, being deployed, or waited for), or could not ask the remote.
 */
export const POLL_RESULTS = ['queued', 'current', 'failed'] as const;
export type PollResult = (typeof POLL_RESULTS)[number];

/** How a run ended ('running' while it runs). */
export const RUN_RESULTS = ['succeeded', 'failed', 'timed out', 'interrupted'] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

/** The kinds of step a run is made of, in the order they run. */
const STEP_KINDS = ['pre_commands', 'git', 'commands', 'post_commands', 'on_failure'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/**
 * The run events a `notify` target can be told of: a run started, or ended with its result
 * ('rolled back': a `whauto rollback` run that succeeded).
 */
export const NOTIFY_EVENTS = ['started', 'succeeded', 'failed', 'timed out', 'interrupted', 'rolled back'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** The message formats of a `notify` target: a JSON object of our own, or a chat service's API. */
export const NOTIFY_FORMATS = ['json', 'slack', 'discord', 'matrix', 'ntfy'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

/** The forges with a commit status API (`commit_status`); gogs and plain have none. */
export const STATUS_PROVIDERS = ['github', 'gitlab', 'gitea', 'forgejo', 'bitbucket', 'bitbucket-server'] as const;
export type StatusProvider = (typeof STATUS_PROVIDERS)[number];
