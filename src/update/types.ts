import type { GitOptions } from '../git/types.ts';
import type { UpdateMode } from '../model/names.ts';
import type { Target } from '../model/target.ts';
import type { Entry } from '../settings/types.ts';

/**
 * Why a step of an update failed: whauto's summary line (what happened, and where the
 * checkout is now), and git's own last lines (`fatal: …`, `hint: …`), shown under it.
 */
export interface UpdateFailure {
  message: string;
  gitLines: string[];
  /** Cut off by the run's timeout or its abort signal. */
  timedOut?: boolean;
  aborted?: boolean;
  /** Submodules (paths in the checkout) left off the commits the checkout records, when a submodule step failed. */
  submodulesOff?: string[];
}

/** What a rollback deploys instead of the remote tip. */
export interface RollbackTo {
  /** The commit it goes back to (full hex). */
  commit: string;
  /** update: release: the release (its id) to switch back to; null: the newest one on disk holding `commit`. */
  release: string | null;
}

/** How an update is made: for a run (it fetches and changes the checkout) or for a dry run (it only reads). */
export interface UpdateContext {
  entry: Entry;
  target: Target;
  /** A rollback: deploy this instead of the target's remote tip. Null: the remote tip. */
  to: RollbackTo | null;
  /** Dry run: the plan is made with reads only (ls-remote, an objects-only fetch) and never applied. */
  dry: boolean;
  /** git's environment, output lines, abort signal; `deadline` (ms since the epoch) bounds every git process. */
  git: GitOptions & { deadline: number };
}

/**
 * One step of an update: what it does, what it reads and what it changes (for the dry run and
 * the log), and how to carry it out. A step made while planning (a run's fetch, which the
 * refusals need) has no `run` left: it is in the plan as done.
 */
export interface PlanStep {
  /** e.g. "fetch refs/heads/main from origin", "check out main at 1a2b3c4 (discarding local changes)". */
  name: string;
  reads: string;
  changes: string;
  /** Carries the step out: null when it succeeded. Absent: done while planning. */
  run?: () => Promise<UpdateFailure | null>;
}

/**
 * What an update would do, made before anything changes. A run applies `steps`, then runs
 * the entry's commands (in `workdir` when set, with `env` added), then applies `after`;
 * when a command fails, `undo` instead. A dry run prints it.
 */
export interface Plan {
  mode: UpdateMode;
  /** HEAD before the update (null: no checkout, or no commit yet). */
  previous: string | null;
  /** The commit it deploys, when known while planning (a clone knows it only once made). */
  tip: string | null;
  /** Why the update would not go, the first found: nothing may change then. */
  refusal: UpdateFailure | null;
  /** Lines for the log before the steps: what the update discards, a remote URL that is not clone_url. */
  notes: string[];
  /** What a dry run cannot tell (it runs no hook and tries no submodule remote it has no need to). */
  unknowns: string[];
  steps: PlanStep[];
  after: PlanStep[];
  undo: PlanStep[];
  /** The name of the run's step that carries out `after` (a release's switch), for its record and WHAUTO_FAILED_STEP. */
  afterName?: string;
  /** Where the commands run instead of the entry's workdir (a release folder). */
  workdir?: string;
  /** Variables the commands get besides WHAUTO_* (WHAUTO_RELEASE_DIR…). */
  env?: Record<string, string>;
  /** update: release: the id of the release the plan builds (or, for a rollback, switches to). */
  release?: string;
  /**
   * Where the checkout stands now, read after a step failed or after the last one: HEAD's
   * commit and, when HEAD is on a branch, its name. Null where there is no checkout.
   */
  where(): Promise<{ commit: string | null; branch: string | null } | null>;
  /** Where things stand after a step failed, in words, when `where` cannot say it (a release layout has no HEAD). */
  whereNow?(): Promise<string>;
}

/**
 * An update mode. `plan` looks at the checkout and the commit to deploy and returns the plan;
 * for a run it may fetch (the only change it makes: the remote-tracking ref), for a dry run it
 * only reads. It never throws: what stops the update is `plan.refusal`.
 */
export interface Strategy {
  readonly mode: UpdateMode;
  /**
   * How `whauto rollback` goes back: `switch` (to an earlier release still on disk: no git, no
   * build, so neither pre_commands nor commands run), `deploy` (the older commit, as a run
   * deploys a tip), or why this mode cannot.
   */
  readonly rollback: 'switch' | 'deploy' | { refused: string };
  plan(ctx: UpdateContext): Promise<Plan>;
  /** The folder that holds what is deployed now (the checkout; `<repodir>/current` for releases); null without repodir. */
  liveDir(entry: Entry): string | null;
  /** The commit deployed now (the checkout's HEAD; the live release's commit); null when none or unknown. Never throws. */
  deployed(entry: Entry, git: GitOptions): Promise<string | null>;
}
