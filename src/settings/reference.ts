/**
 * docs/settings.md, generated from the settings definition (schema.ts) by the build, like the
 * JSON Schema: every key with its type, default, meaning and an example. A test fails when
 * the committed page and this text differ.
 */
import { NOTIFY_EVENTS, NOTIFY_FORMATS } from '../model/names.ts';
import { COMMIT_STATUS_KEYS, ENTRY_KEYS, NOTIFY_KEYS, TOP_KEYS, type KeyDef } from './schema.ts';

/** How each kind of value is written. */
function typeText(def: KeyDef): string {
  switch (def.kind) {
    case 'string': return 'text';
    case 'path': return 'path (relative: to the settings file\'s folder)';
    case 'secret': return 'text (a secret)';
    case 'bool': return '`true` or `false`';
    case 'int': return `whole number, at least ${def.min}`;
    case 'enum': return `one of ${def.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'duration': return `duration (\`500ms\`, \`30s\`, \`10m\`, \`1h30m\`, or seconds)${def.min > 0 ? `, at least ${def.min >= 1000 ? `${def.min / 1000}s` : `${def.min}ms`}` : ''}`;
    case 'size': return 'size (`512kb`, `25mb`, `1gb`: 1024-based; or bytes)';
    case 'listen': return '`host:port`, `[ipv6]:port` or a port';
    case 'url-path': return 'URL path';
    case 'cidrs': return 'list of addresses or CIDRs';
    case 'branches': return 'branch name or glob, or a list of them';
    case 'tags': return '`true`, `false` or a glob of tag names';
    case 'env': return 'mapping of variable names to values';
    case 'commands': return 'list of commands (see below)';
    case 'notify': return 'list of notify targets (see below)';
    case 'commit-status': return 'mapping (see below)';
    case 'shared-paths': return 'list of relative paths (no `..`)';
    case 'defaults': return 'mapping of entry keys';
    case 'entries': return 'mapping of entry names to entries';
  }
}

function defaultText(def: KeyDef): string {
  if (def.default === undefined) return 'none';
  if (Array.isArray(def.default)) return def.default.length === 0 ? '`[]`' : `\`${JSON.stringify(def.default)}\``;
  if (typeof def.default === 'object' && def.default !== null) return Object.keys(def.default).length === 0 ? '`{}`' : `\`${JSON.stringify(def.default)}\``;
  return `\`${String(def.default)}\``;
}

function keySection(name: string, def: KeyDef): string {
  // The doc strings end with their default for editors; the page gives it apart.
  const at = def.doc.lastIndexOf(' Default ');
  const bare = (at >= 0 ? def.doc.slice(0, at) : def.doc).trim();
  const doc = bare.charAt(0).toUpperCase() + bare.slice(1);
  return [`### \`${name}\``, '', `${typeText(def)}; default ${defaultText(def)}.`, '', doc.endsWith('.') ? doc : `${doc}.`, '', '```yaml', def.example, '```', ''].join('\n');
}

/** What each key of a notify target means. */
const NOTIFY_KEY_DOCS: Record<(typeof NOTIFY_KEYS)[number], string> = {
  url: 'the address messages are sent to (`http://` or `https://`); one of `url`, `url_file`, `url_env`',
  url_file: 'a file holding the address (Slack and Discord webhook URLs are secrets)',
  url_env: 'an environment variable holding the address',
  format: `the message's shape: ${NOTIFY_FORMATS.map((f) => `\`${f}\``).join(', ')} (default \`json\`); docs/notifications.md shows each`,
  on: `when to send: any of ${NOTIFY_EVENTS.map((e) => `\`${e}\``).join(', ')} (default \`succeeded\`, \`failed\`, \`timed out\`)`,
  token_file: 'a file holding the access token, for formats that need one (`matrix`; `ntfy` when the topic is protected)',
  token_env: 'an environment variable holding that token',
};

/** What each key of commit_status means. */
const COMMIT_STATUS_KEY_DOCS: Record<(typeof COMMIT_STATUS_KEYS)[number], string> = {
  token_file: 'a file holding the forge token that may set commit statuses; one of `token_file`, `token_env`',
  token_env: 'an environment variable holding that token',
  context: 'the status\'s name on the forge (default `whauto/<entry>`)',
  api_url: 'the forge\'s API root, when it is not found from the host of clone_url or the checkout\'s remote (GitHub Enterprise: `https://host/api/v3`)',
  target_url: 'a link shown with the status',
};

const table = (docs: Record<string, string>): string[] =>
  ['| key | meaning |', '|---|---|', ...Object.entries(docs).map(([k, v]) => `| \`${k}\` | ${v} |`)];

/** The text of docs/settings.md. */
export function settingsReference(): string {
  const top = Object.entries(TOP_KEYS).map(([k, d]) => keySection(k, d));
  const entry = Object.entries(ENTRY_KEYS).map(([k, d]) => keySection(k, d));
  return [
    '# Settings reference',
    '',
    'This page lists every key of a whauto settings file: its type, its default, what it does and',
    'an example. It is generated from the definition `whauto check` validates against (the build',
    'writes it; do not edit it by hand). `whauto schema` prints the same definition as a JSON Schema',
    'for editors, and `examples/settings.yaml` shows the keys in a whole file.',
    '',
    'Relative paths resolve against the settings file\'s folder (a relative `workdir` against',
    '`repodir`). Durations are written `500ms`, `30s`, `10m`, `1h`, `2d` or combined (`1h30m`), or as a',
    'number of seconds; sizes as `512kb`, `25mb`, `1gb` (1024-based) or a number of bytes.',
    '',
    '## Top-level keys',
    '',
    ...top,
    '## Entry keys',
    '',
    'An entry is one deploy target, `entries: { <name>: { … } }`; its name is its URL path',
    'segment (`POST /webhook/<name>`). Every key below may also stand in `defaults`, which applies',
    'where an entry omits it; an entry\'s own `env`, `notify` and secret keys replace the defaults\',',
    'they are not merged.',
    '',
    ...entry,
    '## Commands',
    '',
    'A command is a string, run through `/bin/sh -c`; a list, run as an argv with no shell; or',
    '`{ run: …, timeout: 30s }` with a timeout of its own. Values from a delivery reach commands only',
    'as `WHAUTO_*` environment variables (quote them in shell commands: `"$WHAUTO_BRANCH"`).',
    '',
    '## Notify targets',
    '',
    ...table(NOTIFY_KEY_DOCS),
    '',
    '## commit_status',
    '',
    ...table(COMMIT_STATUS_KEY_DOCS),
    '',
  ].join('\n');
}
