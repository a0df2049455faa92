import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Command } from './types.ts';
import { URL_PATH, type KeyDef } from './schema.ts';
import type { Report } from './report.ts';
import { describe, fieldsOf, resolveNode, scalarText } from './nodes.ts';
import { parseDuration } from './duration.ts';
import { parseSize } from './size.ts';
import { parseListen } from './listen.ts';
import { isCidr } from './cidr.ts';
import { badBranchPattern } from './branch-pattern.ts';
import { RUN_VARS } from './run-vars.ts';
import { parseCommitStatus, parseNotify } from './notify-values.ts';

/** The parsed value of one key, or FAILED after the problem was reported. */
export const FAILED: unique symbol = Symbol('failed');

interface Ctx {
  doc: Document;
  report: Report;
  /** The key's name, for messages. */
  key: string;
}

/**
 * Parses the value `node` of key `ctx.key` as `def` says: durations become ms, sizes
 * bytes, listen `{host, port}`, commands `Command[]`, branch `string[]`, and so on.
 * Paths stay as written (resolution needs the settings folder). Reports what is wrong
 * (codes: 'type', 'bad-value', 'bad-path', 'bad-duration', 'bad-size', 'bad-listen', 'bad-cidr',
 * 'unknown-provider', 'secret-empty', 'yaml11-boolean', and parseNotify's and
 * parseCommitStatus's) and returns FAILED. Never echoes a secret's value.
 */
export function parseValue(def: KeyDef, node: Node | null, keyNode: Node, ctx: Ctx): unknown {
  const at = node ?? keyNode;
  const fail = (code: string, message: string): typeof FAILED => {
    ctx.report(at, 'error', code, message);
    return FAILED;
  };
  const k = `'${ctx.key}'`;
  const v = isScalar(node) ? node.value : undefined;
  switch (def.kind) {
    case 'string':
    case 'path':
      return typeof v === 'string' && v !== '' ? v : fail('type', `${k} must be a non-empty string, not ${describe(node)}`);
    case 'secret':
      if (node === null || v === null || v === '') return fail('secret-empty', `${k} is empty`);
      return typeof v === 'string' ? v : fail('type', `${k} must be a string (its value is not shown)`);
    case 'bool': {
      if (typeof v === 'boolean') return v;
      const meant = typeof v === 'string' ? yaml11Meaning(v) : null;
      const hint = meant === null ? '' : ` (YAML 1.2 reads ${v} as a string: write ${meant})`;
      return fail('type', `${k} must be true or false, not ${describe(node)}${hint}`);
    }
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail('type', `${k} must be an integer, not ${describe(node)}`);
      return v >= def.min ? v : fail('bad-value', `${k} must be at least ${def.min}`);
    case 'enum':
      if (typeof v === 'string' && def.values.includes(v)) return v;
      return fail(def.code ?? 'bad-value', `${k} must be one of ${def.values.join(', ')}, not ${describe(node)}`);
    case 'duration': {
      const ms = parseDuration(v);
      if (ms === null) return fail('bad-duration', `${k}: ${describe(node)} is not a duration (like 30s, 10m, 1h, 500ms, or seconds)`);
      if (ms >= def.min) return ms;
      return fail('bad-duration', def.min <= 1 ? `${k} must be more than 0` : `${k} must be at least ${def.min / 1000}s`);
    }
    case 'size': {
      const bytes = parseSize(v);
      if (bytes === null) return fail('bad-size', `${k}: ${describe(node)} is not a size (like 512kb, 25mb, 1gb, or bytes)`);
      // 0 would refuse every delivery (max_body) or keep no log at all (max_log).
      return bytes === 0 ? fail('bad-size', `${k}: must be more than 0 bytes`) : bytes;
    }
    case 'listen': {
      const listen = parseListen(v);
      return listen ?? fail('bad-listen', `${k}: ${describe(node)} is not host:port (like 127.0.0.1:5000 or [::1]:5000)`);
    }
    case 'url-path': {
      if (typeof v !== 'string') return fail('bad-value', `${k} must be a URL path like /webhook, not ${describe(node)}`);
      // The server compares the raw request path, never decoded (server.ts): a character
      // clients percent-encode (ü, space) or rewrite (\ to /) could never match.
      const odd = [...v].find((c) => !URL_PATH.test(c));
      if (odd !== undefined) {
        return fail('bad-value',
          `${k} may hold only letters A-Z a-z, digits and -._~!$&'()*+,;=:@/ (clients encode or rewrite others, so no delivery would reach it), not ${charName(odd)} in ${describe(node)}; write a path like /webhook`);
      }
      const path = `/${v.replace(/^\/+|\/+$/g, '')}`;
      if (path === '/') return fail('bad-value', `${k} cannot be '/': whauto needs a prefix of its own, like /webhook`);
      // Clients and proxies resolve dot segments away: such a prefix could never be reached.
      if (path.split('/').some((part) => part === '.' || part === '..')) {
        return fail('bad-value', `${k} cannot hold '.' or '..' parts (clients resolve them away, so no delivery would reach it), not ${describe(node)}`);
      }
      // The server answers these GET routes first: the single URL would only ever get 405.
      const own = RESERVED_PATHS[path];
      return own ? fail('bad-value', `${k} cannot be '${path}': whauto serves ${own} there, so deliveries to the single URL would get 405; write another prefix, like /webhook`) : path;
    }
    case 'cidrs':
      return parseCidrs(node, ctx, fail);
    case 'branches':
      return parseBranches(node, ctx, fail);
    case 'tags': {
      // `tags: yes` (Ansible's habit) would be a pattern matching only a tag named yes.
      const meant = plainYaml11Boolean(node);
      if (meant !== null) {
        return fail('yaml11-boolean',
          `${k}: ${describe(node)} is read as a tag pattern, not ${meant} (YAML 1.2 reads ${v} as a string); write ${meant}, or quote it ("${v}") if you mean the tag named ${v}`);
      }
      if (typeof v === 'boolean' || (typeof v === 'string' && v !== '')) return v;
      return fail('type', `${k} must be true, false or a glob like "v*", not ${describe(node)}`);
    }
    case 'env':
      return parseEnv(node, ctx, fail);
    case 'commands':
      return parseCommands(node, ctx, fail);
    case 'notify':
      return parseNotify(node, ctx) ?? FAILED;
    case 'commit-status':
      // null (or ~, or nothing): none, also over the defaults' (an entry turns it off so).
      if (isScalar(node) && node.value === null) return null;
      return parseCommitStatus(node, ctx) ?? FAILED;
    case 'shared-paths':
      return parseSharedPaths(node, ctx, fail);
    case 'defaults':
    case 'entries':
      return fail('type', `${k} is not a plain value`);
  }
}

type Fail = (code: string, message: string) => typeof FAILED;

/** `'ü'` for a character that shows, `U+0009` for a space or control character. */
function charName(c: string): string {
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) ? `'${c}'` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Paths the server answers before the webhook routes (src/server/server.ts, metrics.ts).
 * /metrics is refused even with metrics off: turning them on must not break the hooks.
 */
const RESERVED_PATHS: Record<string, string> = {
  '/healthz': 'its health check (GET /healthz)',
  '/metrics': 'its metrics (GET /metrics, with metrics: true)',
};

/**
 * What a YAML 1.1 boolean word (`yes`, `No`, `ON`, `off`, `y`…) meant there, or null for
 * other text. YAML 1.2, which whauto reads, takes these words as strings; only
 * true/false (any case YAML 1.2 allows) are booleans.
 */
function yaml11Meaning(text: string): boolean | null {
  if (/^(?:y|Y|yes|Yes|YES|on|On|ON)$/.test(text)) return true;
  if (/^(?:n|N|no|No|NO|off|Off|OFF)$/.test(text)) return false;
  return null;
}

/** yaml11Meaning of a scalar written plain: quoting it or tagging it `!!str` says a string was meant. */
function plainYaml11Boolean(node: Node | null): boolean | null {
  if (!isScalar(node) || node.type !== 'PLAIN' || node.tag !== undefined || typeof node.value !== 'string') return null;
  return yaml11Meaning(node.value);
}

function itemsOf(node: Node | null, ctx: Ctx): (Node | null)[] {
  return isSeq(node) ? node.items.map((n) => resolveNode(ctx.doc, n)) : [node];
}

function parseCidrs(node: Node | null, ctx: Ctx, fail: Fail): string[] | typeof FAILED {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (isMap(node)) return fail('type', `'${ctx.key}' must be a list of CIDRs, not a mapping`);
  let ok = true;
  const out: string[] = [];
  for (const item of itemsOf(node, ctx)) {
    const text = isScalar(item) && typeof item.value === 'string' ? item.value.trim() : null;
    if (text === null || !isCidr(text)) {
      ctx.report(item ?? node, 'error', 'bad-cidr', `'${ctx.key}': ${describe(item)} is not an IP address or CIDR (like 10.0.0.0/8)`);
      ok = false;
    } else out.push(text);
  }
  return ok ? out : FAILED;
}

function parseBranches(node: Node | null, ctx: Ctx, fail: Fail): string[] | typeof FAILED {
  if (isMap(node)) return fail('type', `'${ctx.key}' must be a branch name or a list of them, not a mapping`);
  warnBooleanBranch(node, ctx);
  const items = itemsOf(node, ctx);
  // [] is allowed: an entry that deploys tags only (buildEntry refuses one that deploys nothing).
  const out: string[] = [];
  for (const item of items) {
    const text = scalarText(item);
    if (text === null || text === '') {
      ctx.report(item ?? node, 'error', 'type', `'${ctx.key}' must be a branch name or a list of them, not ${describe(item)}`);
      return FAILED;
    }
    const why = badBranchPattern(text);
    if (why) {
      ctx.report(item ?? node, 'error', 'bad-branch', `'${ctx.key}': '${text}' can never match a branch: ${why}`);
      return FAILED;
    }
    out.push(text);
  }
  return out;
}

/**
 * `branch: no` or `branch: true` deploys a branch of that name, which is rarely what was
 * meant (no branch? every branch?): a warning, not an error, so such a branch stays usable,
 * and quoting the name silences it. Only a lone name: in a list the words are clearly names.
 */
function warnBooleanBranch(node: Node | null, ctx: Ctx): void {
  if (!isScalar(node) || node.type !== 'PLAIN' || node.tag !== undefined) return;
  const meant = typeof node.value === 'boolean' ? node.value : typeof node.value === 'string' ? yaml11Meaning(node.value) : null;
  if (meant === null) return;
  const text = scalarText(node)!;
  const instead = meant ? 'write "**" for every branch' : 'write [] (with tags: true or a pattern) for an entry that deploys tags only';
  ctx.report(node, 'warning', 'boolean-branch',
    `'${ctx.key}': ${text} deploys only a branch named ${text}; ${instead}, or quote it ("${text}") if you mean that branch`);
}

function parseEnv(node: Node | null, ctx: Ctx, fail: Fail): Record<string, string> | typeof FAILED {
  if (node === null || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) return fail('type', `'${ctx.key}' must be a mapping of NAME: value, not ${describe(node)}`);
  const out: Record<string, string> = {};
  let ok = true;
  for (const f of fieldsOf(ctx.doc, node, ctx.report)) {
    const text = scalarText(f.node);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.key)) {
      ctx.report(f.keyNode, 'error', 'bad-value', `'${ctx.key}': '${f.key}' is not a variable name`);
      ok = false;
    } else {
      // Said even when another value is wrong: whauto's own value wins whatever this one is.
      if (RUN_VARS.includes(f.key)) ctx.report(f.keyNode, 'warning', 'env-whauto', `'${ctx.key}': ${f.key} is set by whauto for every run; this value is never seen`);
      if (text === null) {
        ctx.report(f.node ?? f.keyNode, 'error', 'type', `'${ctx.key}.${f.key}' must be a string, number or boolean, not ${describe(f.node)}`);
        ok = false;
      } else out[f.key] = text;
    }
  }
  return ok ? out : FAILED;
}

/**
 * `shared`: a list of paths inside a release, each relative and without a `..` part (a link
 * must not lead out of the release folder); `.` parts and repeated slashes are dropped, a
 * trailing `/` (a folder) is kept. One path inside another would link a link: refused too.
 */
function parseSharedPaths(node: Node | null, ctx: Ctx, fail: Fail): string[] | typeof FAILED {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (isMap(node)) return fail('type', `'${ctx.key}' must be a list of paths, not a mapping`);
  const out: string[] = [];
  let ok = true;
  const bad = (item: Node | null, why: string): void => {
    ctx.report(item ?? node, 'error', 'bad-path', `'${ctx.key}': ${describe(item)} ${why}`);
    ok = false;
  };
  for (const item of itemsOf(node, ctx)) {
    const text = isScalar(item) && typeof item.value === 'string' ? item.value : null;
    if (text === null || text === '') {
      bad(item, 'is not a path (write a path relative to the release, like .env or storage/)');
      continue;
    }
    const parts = text.split('/').filter((p) => p !== '' && p !== '.');
    if (text.startsWith('/')) bad(item, 'is absolute; write it relative to the release (it is linked to shared/ under the same name)');
    else if (parts.includes('..')) bad(item, 'has a .. part: a shared path stays inside the release');
    else if (parts.length === 0 || text.includes('\0')) bad(item, 'names no file or folder inside the release');
    else {
      const path = parts.join('/') + (text.endsWith('/') ? '/' : '');
      const bare = (p: string) => p.replace(/\/$/, '');
      const clash = out.find((o) => bare(o) === bare(path) || bare(path).startsWith(`${bare(o)}/`) || bare(o).startsWith(`${bare(path)}/`));
      if (clash) bad(item, `overlaps '${clash}' (a shared path may not be, or be inside, another)`);
      else out.push(path);
    }
  }
  return ok ? out : FAILED;
}

function parseCommands(node: Node | null, ctx: Ctx, fail: Fail): Command[] | typeof FAILED {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (isMap(node)) return fail('type', `'${ctx.key}' must be a list of commands, not a mapping`);
  const out: Command[] = [];
  let ok = true;
  for (const item of itemsOf(node, ctx)) {
    const command = parseCommand(item, ctx);
    if (command === null) ok = false;
    else out.push(command);
  }
  return ok ? out : FAILED;
}

const COMMAND_HELP = 'a command is a string (run by /bin/sh -c), a list (an argv) or {run: …, timeout: …}';

function parseCommand(node: Node | null, ctx: Ctx): Command | null {
  const bad = (at: Node | null, why: string): null => {
    ctx.report(at ?? node, 'error', 'type', `'${ctx.key}': ${why}; ${COMMAND_HELP}`);
    return null;
  };
  if (isMap(node)) {
    let run: Command['run'] | null = null;
    let timeout: number | null = null;
    for (const f of fieldsOf(ctx.doc, node, ctx.report)) {
      if (f.key === 'run') run = parseRun(f.node, ctx, bad);
      else if (f.key === 'timeout') {
        timeout = parseDuration(isScalar(f.node) ? f.node.value : undefined);
        if (timeout === null || timeout <= 0) {
          ctx.report(f.node ?? f.keyNode, 'error', 'bad-duration', `'${ctx.key}': ${describe(f.node)} is not a duration (like 30s, 10m, 1h)`);
          return null;
        }
      } else {
        ctx.report(f.keyNode, 'error', 'unknown-key', `unknown key '${f.key}' in a command (known: run, timeout)`);
        return null;
      }
    }
    if (run === null) return bad(node, "a command mapping needs 'run'");
    return { run, timeout };
  }
  const run = parseRun(node, ctx, bad);
  return run === null ? null : { run, timeout: null };
}

function parseRun(node: Node | null, ctx: Ctx, bad: (at: Node | null, why: string) => null): Command['run'] | null {
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value;
  if (isSeq(node) && node.items.length > 0) {
    const argv: string[] = [];
    for (const item of node.items) {
      const text = scalarText(resolveNode(ctx.doc, item));
      if (text === null) return bad(item as Node, 'an argv holds only strings');
      argv.push(text);
    }
    return argv;
  }
  if (isSeq(node)) return bad(node, 'an empty list is not a command');
  if (isScalar(node) && typeof node.value === 'string') return bad(node, 'an empty string is not a command');
  return bad(node, `${describe(node)} is not a command`);
}
