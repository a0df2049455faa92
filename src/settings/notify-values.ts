import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { NOTIFY_EVENTS, NOTIFY_FORMATS, type NotifyEvent, type NotifyFormat } from '../model/names.ts';
import { COMMIT_STATUS_KEYS, NOTIFY_KEYS } from './schema.ts';
import type { Report } from './report.ts';
import { fieldsOf, resolveNode, type Field } from './nodes.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkTargetUrl } from './check-url.ts';
import { describe, scalarText } from './nodes.ts';
import type { RawField } from './nodes.ts';

/** A `notify` target as the file gives it: its url and token keys are read later (buildEntry). */
export interface RawTarget {
  /** The target's mapping, for findings about it. */
  at: Node;
  /** Its place in the list, from 1 (findings say 'target N'). */
  n: number;
  format: NotifyFormat;
  on: NotifyEvent[];
  /** url, url_file, url_env, token_file, token_env: whichever are given. */
  sources: Map<string, RawField>;
}

/** `commit_status` as the file gives it; the token is read later (buildEntry). */
export interface RawCommitStatus {
  at: Node;
  sources: Map<string, RawField>;
  context: string | null;
  apiUrl: RawField | null;
  targetUrl: RawField | null;
}

interface Ctx {
  doc: Document;
  report: Report;
  key: string;
}

/** The events a target is told of when its `on` is not given. */
const DEFAULT_EVENTS: NotifyEvent[] = ['succeeded', 'failed', 'timed out'];

/** Formats whose service needs a token besides the URL (Matrix: an access token). */
const NEEDS_TOKEN: readonly NotifyFormat[] = ['matrix'];
/** Formats whose URL is itself the credential: a token would never be sent. */
const NO_TOKEN: readonly NotifyFormat[] = ['slack', 'discord'];

/**
 * Parses a `notify` value: a list of target mappings (nothing or [] for none). Reports
 * 'type', 'unknown-key', 'unknown-format', 'unknown-event', 'missing-url', 'url-conflict',
 * 'token-conflict', 'missing-token' (errors) and 'token-unused' (a warning); returns the
 * targets that parse (null when the value is not a list). Never echoes a url or token.
 */
export function parseNotify(node: Node | null, ctx: Ctx): RawTarget[] | null {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    ctx.report(node, 'error', 'type', `'${ctx.key}' must be a list of targets ({url, format, on}), not ${describe(node)}`);
    return null;
  }
  // The targets that parse go on even when another does not: their url and token are read
  // later, and check reports those problems too, all at once (the settings are invalid anyway).
  const out: RawTarget[] = [];
  node.items.forEach((item, i) => {
    const target = parseTarget(item as Node, i + 1, ctx);
    if (target !== null) out.push(target);
  });
  return out;
}

function parseTarget(node: Node, n: number, ctx: Ctx): RawTarget | null {
  const what = `'${ctx.key}' target ${n}`;
  if (!isMap(node)) {
    ctx.report(node, 'error', 'type', `${what} must be a mapping like {url: …, format: slack}, not ${describe(node)}`);
    return null;
  }
  let ok = true;
  const bad = (at: Node, code: string, message: string): void => {
    ctx.report(at, 'error', code, `${what}: ${message}`);
    ok = false;
  };
  let format: NotifyFormat = 'json';
  let formatNode: Node = node;
  let on = [...DEFAULT_EVENTS];
  const sources = new Map<string, RawField>();
  for (const f of fieldsOf(ctx.doc, node, ctx.report)) {
    const at = f.node ?? f.keyNode;
    if (!(NOTIFY_KEYS as readonly string[]).includes(f.key)) {
      unknownKey(f, NOTIFY_KEYS, `in ${what}`, ctx.report);
      ok = false;
    } else if (f.key === 'format') {
      const v = scalarText(f.node);
      if (v !== null && (NOTIFY_FORMATS as readonly string[]).includes(v)) [format, formatNode] = [v as NotifyFormat, at];
      else bad(at, 'unknown-format', `format must be one of ${NOTIFY_FORMATS.join(', ')}, not ${describe(f.node)}`);
    } else if (f.key === 'on') {
      const events = parseEvents(f.node, ctx.doc);
      if (typeof events === 'string') bad(at, 'unknown-event', events);
      else on = events;
    } else {
      const v = scalarText(f.node);
      if (v === null || v === '') bad(at, 'type', `${f.key} must be a non-empty string, not ${f.key === 'url' ? 'this' : describe(f.node)}`);
      else sources.set(f.key, { value: v, node: at, keyNode: f.keyNode });
    }
  }
  const given = (keys: string[]): Node[] => keys.filter((k) => sources.has(k)).map((k) => sources.get(k)!.keyNode);
  const urls = given(['url', 'url_file', 'url_env']);
  const tokens = given(['token_file', 'token_env']);
  if (urls.length === 0 && ok) bad(node, 'missing-url', 'give its url (or url_file, or url_env)');
  for (const extra of urls.slice(1)) bad(extra, 'url-conflict', 'give one of url, url_file and url_env');
  for (const extra of tokens.slice(1)) bad(extra, 'token-conflict', 'give one of token_file and token_env');
  if (NEEDS_TOKEN.includes(format) && tokens.length === 0) {
    bad(formatNode, 'missing-token', `${format} needs an access token: give token_file or token_env`);
  }
  const inline = sources.get('url');
  if (inline) checkTargetUrl(inline.value as string, inline.node, what, format, tokens.length > 0, ctx.report);
  if (NO_TOKEN.includes(format) && tokens.length > 0) {
    ctx.report(tokens[0], 'warning', 'token-unused', `${what}: ${format} takes no token (its webhook URL is the credential); this one is never sent`);
  }
  return ok ? { at: node, n, format, on, sources } : null;
}

/** The events of an `on` value (one name or a list of them), or what is wrong with it. */
function parseEvents(node: Node | null, doc: Document): NotifyEvent[] | string {
  const items = isSeq(node) ? node.items.map((n) => resolveNode(doc, n)) : [node];
  const out: NotifyEvent[] = [];
  for (const item of items) {
    const v = scalarText(item);
    if (v === null || !(NOTIFY_EVENTS as readonly string[]).includes(v)) {
      return `on takes ${NOTIFY_EVENTS.join(', ')} (one or a list), not ${describe(item)}`;
    }
    if (!out.includes(v as NotifyEvent)) out.push(v as NotifyEvent);
  }
  return out;
}

/**
 * Parses a `commit_status` mapping. Reports 'type', 'unknown-key', 'missing-token' and
 * 'token-conflict'; returns null when something was wrong. api_url and target_url are
 * checked with the rest of the entry (checkUrl).
 */
export function parseCommitStatus(node: Node | null, ctx: Ctx): RawCommitStatus | null {
  if (!isMap(node)) {
    ctx.report(node, 'error', 'type', `'${ctx.key}' must be a mapping like {token_file: …}, not ${describe(node)}`);
    return null;
  }
  let ok = true;
  const out: RawCommitStatus = { at: node, sources: new Map(), context: null, apiUrl: null, targetUrl: null };
  for (const f of fieldsOf(ctx.doc, node, ctx.report)) {
    const at = f.node ?? f.keyNode;
    const v = scalarText(f.node);
    if (!(COMMIT_STATUS_KEYS as readonly string[]).includes(f.key)) {
      unknownKey(f, COMMIT_STATUS_KEYS, `in '${ctx.key}'`, ctx.report);
      ok = false;
    } else if (v === null || v === '') {
      ctx.report(at, 'error', 'type', `'${ctx.key}.${f.key}' must be a non-empty string, not ${describe(f.node)}`);
      ok = false;
    } else {
      const field = { value: v, node: at, keyNode: f.keyNode };
      if (f.key === 'context') out.context = v;
      else if (f.key === 'api_url') out.apiUrl = field;
      else if (f.key === 'target_url') out.targetUrl = field;
      else out.sources.set(f.key, field);
    }
  }
  const tokens = ['token_file', 'token_env'].filter((k) => out.sources.has(k));
  if (tokens.length === 0 && ok) {
    ctx.report(node, 'error', 'missing-token', `'${ctx.key}' needs the forge's API token: give token_file or token_env`);
    ok = false;
  }
  if (tokens.length > 1) {
    ctx.report(out.sources.get(tokens[1]!)!.keyNode, 'error', 'token-conflict', `'${ctx.key}': give one of token_file and token_env`);
    ok = false;
  }
  return ok ? out : null;
}

function unknownKey(f: Field, known: readonly string[], where: string, report: Report): void {
  const hint = didYouMean(f.key, [...known]);
  report(f.keyNode, 'error', 'unknown-key', `unknown key '${f.key}' ${where}${hint ? `; did you mean '${hint}'?` : ` (known: ${known.join(', ')})`}`);
}
