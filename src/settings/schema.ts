/**
 * The settings schema in one place: every key, its kind, its default (in the file's
 * spelling) and its doc. The validator (`values.ts`, `validate.ts`) works from this table and
 * `settingsJsonSchema()` turns it into a JSON Schema for editors.
 */
import { NOTIFY_EVENTS, NOTIFY_FORMATS, PROVIDERS, UPDATE_MODES } from '../model/names.ts';

type Kind =
  | { kind: 'string' }
  | { kind: 'path' }
  | { kind: 'secret' }
  | { kind: 'bool' }
  | { kind: 'int'; min: number }
  | { kind: 'enum'; values: readonly string[]; code?: string }
  | { kind: 'duration'; min: number }
  | { kind: 'size' }
  | { kind: 'listen' }
  | { kind: 'url-path' }
  | { kind: 'cidrs' }
  | { kind: 'branches' }
  | { kind: 'tags' }
  | { kind: 'env' }
  | { kind: 'commands' }
  | { kind: 'notify' }
  | { kind: 'commit-status' }
  | { kind: 'shared-paths' }
  | { kind: 'defaults' }
  | { kind: 'entries' };

export type KeyDef = Kind & {
  /** One line for humans and for the JSON Schema's description. */
  doc: string;
  /** The default in the file's spelling; undefined: none (the key is optional). */
  default?: unknown;
  /** A line of YAML as a user writes the key, for docs/settings.md. */
  example: string;
};

/** Keys of an entry (and of `defaults`). */
export const ENTRY_KEYS: Record<string, KeyDef> = {
  provider: { kind: 'enum', values: PROVIDERS, code: 'unknown-provider', default: 'github',
    example: 'provider: gitlab',
    doc: 'The forge that sends the webhook. Default github.' },
  secret: { kind: 'secret', example: 'secret: "s3cr3t"',
    doc: 'The webhook secret, inline (prefer secret_env or secret_file).' },
  secret_env: { kind: 'string', example: 'secret_env: HOOK_SECRET',
    doc: 'Name of an environment variable that holds the secret, read at load time.' },
  secret_file: { kind: 'path', example: 'secret_file: ${CREDENTIALS_DIRECTORY}/whauto.secret',
    doc: 'File that holds the secret (one trailing newline stripped); ${CREDENTIALS_DIRECTORY} expands.' },
  repo: { kind: 'string', example: 'repo: acme/site',
    doc: '"owner/name" of the repository whose pushes deploy (a bare name matches that name under any owner); none: reached only by its own URL.' },
  branch: { kind: 'branches', default: 'main', example: 'branch: [main, "release/*"]',
    doc: 'Branch name, glob ("release/*") or list of them; [] for an entry that deploys tags only. Default main.' },
  tags: { kind: 'tags', default: false, example: 'tags: "v*"',
    doc: 'true or a glob ("v*"): tag pushes deploy too. Default false.' },
  repodir: { kind: 'path', example: 'repodir: /srv/site',
    doc: 'The checkout that is updated (update: release: the deploy root holding repo/, releases/, shared/ and current); required unless update is none.' },
  clone_url: { kind: 'string', example: 'clone_url: git@github.com:acme/site.git',
    doc: 'Clone repodir from here when it is missing.' },
  remote: { kind: 'string', default: 'origin', example: 'remote: upstream',
    doc: 'The git remote to fetch from. Default origin.' },
  update: { kind: 'enum', values: UPDATE_MODES, default: 'reset',
    example: 'update: ff-only',
    doc: 'How the checkout is brought to the pushed branch: reset | ff-only | none | release (a new release folder per deploy, switched to atomically: docs/releases.md). Default reset.' },
  submodules: { kind: 'bool', default: true, example: 'submodules: false',
    doc: 'Update submodules too. Default true.' },
  git_binary: { kind: 'string', default: 'git', example: 'git_binary: /usr/local/bin/git',
    doc: 'The git executable. Default git.' },
  ssh_key: { kind: 'path', example: 'ssh_key: /etc/whauto/deploy_key',
    doc: 'Private key for git over ssh (GIT_SSH_COMMAND).' },
  workdir: { kind: 'path', example: 'workdir: frontend',
    doc: 'Where commands run; relative to repodir. Default repodir.' },
  env: { kind: 'env', default: {}, example: 'env: { NODE_ENV: production }',
    doc: 'Extra environment variables of the commands.' },
  timeout: { kind: 'duration', min: 1, default: '15m', example: 'timeout: 30m',
    doc: 'Timeout of the whole run. Default 15m.' },
  pre_commands: { kind: 'commands', default: [], example: 'pre_commands: [systemctl stop site-worker]',
    doc: 'Commands before the git update.' },
  commands: { kind: 'commands', default: [], example: 'commands: [npm ci, npm run build]',
    doc: 'Commands after the git update.' },
  post_commands: { kind: 'commands', default: [], example: 'post_commands: [[systemctl, reload, site]]',
    doc: 'Commands after the commands succeeded.' },
  on_failure: { kind: 'commands', default: [], example: 'on_failure: [\'echo "$WHAUTO_FAILED_STEP" | mail -s deploy ops@example.com\']',
    doc: 'Commands when a step failed (WHAUTO_FAILED_STEP says which).' },
  shared: { kind: 'shared-paths', default: [],
    example: 'shared: [.env, storage/]',
    doc: 'update: release: paths relative to a release (no ..) that are links to <repodir>/shared/<path>, the server\'s own files that outlive releases; a trailing / makes a missing one a folder, else an empty file. Default [].' },
  keep_releases: { kind: 'int', min: 2, default: 5,
    example: 'keep_releases: 10',
    doc: 'update: release: releases kept on disk; older ones are removed after a deploy, never the live one or the one before it. Default 5.' },
  allow_ips: { kind: 'cidrs', default: [], example: 'allow_ips: [140.82.112.0/20, "2a0a:a440::/29"]',
    doc: 'Client addresses (CIDRs) allowed to deliver; empty: any.' },
  notify: { kind: 'notify', default: [], example: 'notify: [{ url_file: /etc/whauto/slack.url, format: slack, on: [failed] }]',
    doc: 'Where runs are announced: a list of {url | url_file | url_env, format, on, token_file | token_env}; an entry\'s list replaces the defaults\'. Default none.' },
  poll: { kind: 'duration', min: 10_000,
    example: 'poll: 1m',
    doc: 'Ask the remote for new commits this often (at least 10s, ±10% jitter), for a server no forge can reach; with no provider and no secret the entry has no webhook route. Default none: webhooks only.' },
  commit_status: { kind: 'commit-status', example: 'commit_status: { token_file: /etc/whauto/github.token }',
    doc: 'Set the deployed commit\'s status on the forge: {token_file | token_env, context, api_url, target_url}; `commit_status: null` in an entry turns off the defaults\'. Default none.' },
};

/** Keys of one `notify` target. */
export const NOTIFY_KEYS = ['url', 'url_file', 'url_env', 'format', 'on', 'token_file', 'token_env'] as const;

/** Keys of `commit_status`. */
export const COMMIT_STATUS_KEYS = ['token_file', 'token_env', 'context', 'api_url', 'target_url'] as const;

/** Keys at the top of the file. */
export const TOP_KEYS: Record<string, KeyDef> = {
  listen: { kind: 'listen', default: '127.0.0.1:5000', example: 'listen: "[::1]:5000"',
    doc: 'host:port to listen on ([::1]:5000 for IPv6): an address of this machine, or 0.0.0.0 or :: for all of them; port 0 picks a free port. Default 127.0.0.1:5000.' },
  webhook_url_path: { kind: 'url-path', default: '/webhook', example: 'webhook_url_path: /hooks',
    doc: "URL prefix of the webhook routes: ASCII letters, digits and -._~!$&'()*+,;=:@/ only; not /, /healthz or /metrics. Default /webhook." },
  state_dir: { kind: 'path', default: 'whauto-state', example: 'state_dir: /var/lib/whauto',
    doc: 'Queue, locks and run history. Default whauto-state beside the settings file.' },
  log_level: { kind: 'enum', values: ['debug', 'info', 'warn', 'error'], default: 'info', example: 'log_level: debug',
    doc: 'debug | info | warn | error. Default info.' },
  log_format: { kind: 'enum', values: ['text', 'json'], default: 'text', example: 'log_format: json',
    doc: 'text | json (one object a line). Default text.' },
  max_body: { kind: 'size', default: '25mb', example: 'max_body: 5mb',
    doc: 'Largest accepted delivery body. Default 25mb.' },
  workers: { kind: 'int', min: 1, default: 1, example: 'workers: 2',
    doc: 'Runs of different checkouts that may go at once. Default 1.' },
  trust_proxy: { kind: 'cidrs', default: [], example: 'trust_proxy: [127.0.0.1]',
    doc: 'CIDRs of proxies whose X-Forwarded-For is believed. Default none.' },
  shutdown_timeout: { kind: 'duration', min: 0, default: '60s', example: 'shutdown_timeout: 5m',
    doc: 'How long running runs may finish on SIGTERM. Default 60s.' },
  keep_runs: { kind: 'int', min: 1, default: 50, example: 'keep_runs: 200',
    doc: 'Runs kept per entry (records and logs). Default 50.' },
  max_log: { kind: 'size', default: '5mb', example: 'max_log: 20mb',
    doc: 'Cap of one run\'s log. Default 5mb.' },
  metrics: { kind: 'bool', default: false, example: 'metrics: true',
    doc: 'Serve metrics. Default false.' },
  defaults: { kind: 'defaults', example: 'defaults: { provider: github, secret_file: /etc/whauto/whauto.secret }',
    doc: 'Any entry key, applied where an entry omits it.' },
  entries: { kind: 'entries', example: 'entries: { site: { repo: acme/site, repodir: /srv/site } }',
    doc: 'The entries: name (a URL path segment) to entry.' },
};

/** What an entry name must look like: one URL path segment without escaping. */
export const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

/**
 * A URL path of only the characters clients send as written (RFC 3986 pchar and '/'):
 * others are percent-encoded or rewritten (`\` to `/`), and the server compares raw paths.
 */
export const URL_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

const DURATION = '^(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$';
/** What a `shared` path may not be: absolute, or with a `..` part. */
const SHARED_PATH_BAD = '^/|(^|/)\\.\\.(/|$)';
const SIZE = '^\\d+(\\.\\d+)?\\s*([bB]|[kKmMgG]([iI]?[bB])?)?$';

function commandSchema(): object {
  const argv = { type: 'array', items: { type: ['string', 'number', 'boolean'] }, minItems: 1 };
  const run = { anyOf: [{ type: 'string', minLength: 1 }, argv] };
  return {
    anyOf: [
      { type: 'string', minLength: 1, description: 'Runs through /bin/sh -c.' },
      { ...argv, description: 'An argv, run without a shell.' },
      {
        type: 'object', additionalProperties: false, required: ['run'],
        properties: { run, timeout: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: DURATION }] } },
      },
    ],
  };
}

/** At most one of each group of keys (url, url_file, url_env…). */
function atMostOne(...groups: string[][]): object {
  const pairs = groups.flatMap((g) => g.flatMap((a, i) => g.slice(i + 1).map((b) => ({ required: [a, b] }))));
  return { not: { anyOf: pairs } };
}

function notifySchema(): object {
  const event = { enum: [...NOTIFY_EVENTS] };
  return {
    type: ['array', 'null'],
    items: {
      type: 'object', additionalProperties: false,
      properties: {
        url: { type: 'string', pattern: '^https?://' }, url_file: { type: 'string', minLength: 1 }, url_env: { type: 'string', minLength: 1 },
        format: { enum: [...NOTIFY_FORMATS], default: 'json' },
        on: { anyOf: [event, { type: 'array', items: event }], default: ['succeeded', 'failed', 'timed out'] },
        token_file: { type: 'string', minLength: 1 }, token_env: { type: 'string', minLength: 1 },
      },
      anyOf: [{ required: ['url'] }, { required: ['url_file'] }, { required: ['url_env'] }],
      ...atMostOne(['url', 'url_file', 'url_env'], ['token_file', 'token_env']),
    },
  };
}

function commitStatusSchema(): object {
  const url = { type: 'string', pattern: '^https?://' };
  return {
    type: ['object', 'null'], additionalProperties: false,
    properties: {
      token_file: { type: 'string', minLength: 1 }, token_env: { type: 'string', minLength: 1 },
      context: { type: 'string', minLength: 1, description: 'Default whauto/<entry>.' }, api_url: url, target_url: url,
    },
    anyOf: [{ required: ['token_file'] }, { required: ['token_env'] }],
    ...atMostOne(['token_file', 'token_env']),
  };
}

function kindSchema(def: Kind): object {
  switch (def.kind) {
    case 'string': case 'path': case 'secret': return { type: 'string', minLength: 1 };
    case 'bool': return { type: 'boolean' };
    case 'int': return { type: 'integer', minimum: def.min };
    case 'enum': return { enum: [...def.values] };
    case 'duration': return { anyOf: [{ type: 'number', minimum: def.min / 1000 }, { type: 'string', pattern: DURATION }] };
    case 'size': return { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: SIZE }] };
    case 'listen': return { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 1, maximum: 65535 }] };
    // Not the server's own GET routes (values.ts says why).
    case 'url-path': return { type: 'string', pattern: URL_PATH.source, not: { pattern: '^/*(healthz|metrics)/*$' } };
    case 'cidrs': return { type: ['array', 'null'], items: { type: 'string' } };
    case 'branches': return { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }] };
    case 'tags': return { type: ['boolean', 'string'] };
    case 'env': return { type: ['object', 'null'], additionalProperties: { type: ['string', 'number', 'boolean'] } };
    case 'commands': return { anyOf: [{ type: 'null' }, { type: 'string', minLength: 1 }, { type: 'array', items: commandSchema() }] };
    case 'notify': return notifySchema();
    case 'commit-status': return commitStatusSchema();
    case 'shared-paths': return { type: ['array', 'null'], items: { type: 'string', minLength: 1, not: { pattern: SHARED_PATH_BAD } } };
    case 'defaults': return { $ref: '#/$defs/entry' };
    case 'entries': return {
      type: ['object', 'null'],
      propertyNames: { pattern: ENTRY_NAME.source },
      additionalProperties: { $ref: '#/$defs/entry' },
    };
  }
}

function propertiesOf(keys: Record<string, KeyDef>): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [name, def] of Object.entries(keys)) {
    out[name] = { ...kindSchema(def), description: def.doc, ...(def.default === undefined ? {} : { default: def.default }) };
  }
  return out;
}

/**
 * A JSON Schema (draft 2020-12) of the modern settings file, generated from the tables
 * above. Legacy keys are not in it: editors should suggest the modern spelling.
 */
export function settingsJsonSchema(): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'whauto settings',
    type: 'object',
    additionalProperties: false,
    properties: propertiesOf(TOP_KEYS),
    $defs: {
      entry: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: propertiesOf(ENTRY_KEYS),
        not: { anyOf: [{ required: ['secret', 'secret_env'] }, { required: ['secret', 'secret_file'] }, { required: ['secret_env', 'secret_file'] }] },
      },
    },
  };
}
