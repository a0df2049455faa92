/**
 * The normalized settings: what the loader returns whatever the file's spelling (modern or
 * legacy 0.0.x). Nothing after the loader knows about legacy keys or raw YAML.
 * Durations are in milliseconds, sizes in bytes, paths absolute.
 */

import type { NotifyEvent, NotifyFormat, ProviderName, UpdateMode } from '../model/names.ts';

export type { ProviderName, UpdateMode };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

/** One step of a run. `run` as a string goes through `/bin/sh -c`; as a list it is an argv. */
export interface Command {
  run: string | string[];
  /** Per-command timeout in ms; null: only the entry's timeout applies. */
  timeout: number | null;
}

export interface Entry {
  /** The entry's name: its key in `entries`, and its URL path segment. */
  name: string;
  provider: ProviderName;
  /** The resolved secret (from secret, secret_env or secret_file); null: no authentication. */
  secret: string | null;
  /** Names of the environment variables any entry's secrets come from (secret_env, url_env, token_env): kept from its commands. */
  secretVars?: string[];
  /** "owner/name" (or a bare name); null: reached only by its own URL. */
  repo: string | null;
  /** Branch names or globs (`release/*`); a push to any of them deploys. */
  branches: string[];
  /** false: tag pushes are ignored; true: all tags deploy; a string: a glob of tag names. */
  tags: boolean | string;
  /** Absolute path of the checkout that is updated (update: release: the deploy root); null only where update is none. */
  repodir: string | null;
  cloneUrl: string | null;
  remote: string;
  update: UpdateMode;
  submodules: boolean;
  gitBinary: string;
  sshKey: string | null;
  /** Absolute path where commands run; defaults to repodir (or the settings folder). */
  workdir: string;
  env: Record<string, string>;
  /** The whole run's timeout in ms. Default 15 min. */
  timeout: number;
  preCommands: Command[];
  commands: Command[];
  postCommands: Command[];
  onFailure: Command[];
  /**
   * update: release: paths inside each release that are links to `<repodir>/shared/<path>`,
   * relative, normalized, a trailing `/` for a folder.
   */
  shared: string[];
  /** update: release: releases kept on disk (at least 2). Default 5. */
  keepReleases: number;
  /** CIDRs (or addresses) allowed to deliver; empty: any. */
  allowIps: string[];
  /** Where runs are announced (`notify`); the entry's own list replaces the defaults'. */
  notify: NotifyTarget[];
  /** The deployed commit's status on the forge (`commit_status`); null: none is set. */
  commitStatus: CommitStatusSettings | null;
  /** ms between asks of the remote for new commits (`poll`, at least 10 s); null: not polled. */
  poll: number | null;
  /** Whether deliveries reach the entry: false for one that polls and names no provider and no secret (it has no webhook route). */
  webhook: boolean;
}

/** One `notify` target. Its URL and token are secrets: logs show only the URL's scheme and host. */
export interface NotifyTarget {
  format: NotifyFormat;
  /** From url, url_file or url_env; null when it could not be read (a command that reads no secrets). */
  url: string | null;
  /** The events it is told of. Default succeeded, failed, timed out. */
  on: NotifyEvent[];
  /** From token_file or token_env; null: none given, or not readable here. */
  token: string | null;
}

/** `commit_status`: how the deployed commit's status is set through the forge's API. */
export interface CommitStatusSettings {
  /** From token_file or token_env; null when it could not be read (a command that reads no secrets). */
  token: string | null;
  /** The status's name on the forge. Default whauto/<entry>. */
  context: string;
  /** The API root (e.g. https://ghe.example.com/api/v3); null: from the repository's URL. */
  apiUrl: string | null;
  /** The link the status carries; null: none (Bitbucket, which needs one: the commit's page). */
  targetUrl: string | null;
}

export interface Settings {
  /** Absolute path of the settings file. */
  file: string;
  listen: { host: string; port: number };
  /** URL prefix of the webhook routes, starting with '/', no trailing '/'. Default /webhook. */
  webhookUrlPath: string;
  /** Absolute path. Default <settings folder>/whauto-state. */
  stateDir: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Bytes. Default 25 MiB. */
  maxBody: number;
  /** Runs of different checkouts that may go at once. Default 1. */
  workers: number;
  trustProxy: string[];
  /** ms. Default 60 s. */
  shutdownTimeout: number;
  /** Runs kept per entry (records and logs). Default 50. */
  keepRuns: number;
  /** Cap of one run's log in bytes. Default 5 MiB. */
  maxLog: number;
  /** Serve metrics. Default false. */
  metrics: boolean;
  /** Entries in file order. */
  entries: Entry[];
}
