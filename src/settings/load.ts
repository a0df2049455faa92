import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { REPODIR_HOLDS } from '../model/names.ts';
import type { Entry, LogFormat, LogLevel, Settings } from './types.ts';
import type { Finding } from './finding.ts';
import type { Report } from './report.ts';
import { TOP_KEYS } from './schema.ts';
import { defaultValue } from './default-value.ts';
import { translateLegacy } from './legacy.ts';
import { validate, type RawSettings } from './validate.ts';
import { buildEntry } from './entry.ts';
import { stateDirProblem } from './state-dir.ts';
import { notOnThisMachine } from './listen.ts';

interface LoadResult {
  /** The normalized settings; null iff some finding has level 'error'. */
  settings: Settings | null;
  /** Every error, warning and note, in file order. */
  findings: Finding[];
}

/**
 * Reads, validates and normalizes the settings file `file` (modern or legacy 0.0.x
 * spelling). `env` supplies secret_env variables and CREDENTIALS_DIRECTORY; with
 * `readSecrets: false` neither is read and entries' secrets from them are null (for `status`
 * and `trigger`, which verify no delivery). Reports every
 * problem found in one pass, each with its 1-based line and column. Never throws for bad
 * input: an unreadable file is the finding 'unreadable'.
 */
export function loadSettings(file: string, env: NodeJS.ProcessEnv, opts: { readSecrets?: boolean } = {}): LoadResult {
  const path = resolve(file);
  const findings: Finding[] = [];
  const at = (level: Finding['level'], code: string, message: string, line = 1, col = 1): void => {
    findings.push({ level, code, message, file, line, col });
  };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    at('error', 'unreadable', `cannot read the settings file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return { settings: null, findings };
  }
  // A binary (the whauto executable given by mistake) is not YAML: one finding, not kilobytes of parse errors.
  if (text.includes('\0') || text.includes('\ufffd')) {
    const offset = Math.min(...['\0', '\ufffd'].map((c) => text.indexOf(c)).filter((i) => i >= 0));
    const before = text.slice(0, offset).split('\n');
    at('error', 'not-text', 'this is not a settings file: it holds NUL bytes or bytes that are not UTF-8', before.length, (before.at(-1)?.length ?? 0) + 1);
    return { settings: null, findings };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const report: Report = (node, level, code, message) => {
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    at(level, code, message, pos.line, pos.col);
  };
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    at('error', 'yaml-syntax', e.message.split('\n')[0] ?? e.code, pos.line, pos.col);
  }
  if (doc.errors.length > 0) return { settings: null, findings: dedupe(findings) };
  for (const w of doc.warnings) {
    const pos = lineCounter.linePos(w.pos[0]);
    at('warning', 'yaml-warning', w.message.split('\n')[0] ?? w.code, pos.line, pos.col);
  }

  translateLegacy(doc, report);
  const raw = validate(doc, report);
  const listen = raw.top.get('listen');
  const away = listen ? notOnThisMachine((listen.value as { host: string }).host) : null;
  if (away) report(listen!.node, 'error', 'listen-not-local', `'listen': ${away}`);
  const dir = dirname(path);
  const secretVars = new Set<string>();
  const entries = raw.entries.map((e) => buildEntry(e, raw.defaults, { dir, env, report, readSecrets: opts.readSecrets !== false, secretVars }));
  // No entry's commands get a variable any entry's secret comes from.
  for (const e of entries) e.secretVars = [...secretVars].sort();
  warnSharedCheckouts(raw, entries, report);
  const mode = modeOf(path);
  if (mode !== null) {
    warnWritableSettings(mode, report);
    warnReadableInlineSecret(mode, raw, report);
  }
  if (raw.entries.length === 0) report(raw.root, 'warning', 'no-entries', 'no entries: no push will deploy anything');
  const settings = settingsOf(path, raw, entries);
  const stateDir = stateDirProblem(settings.stateDir);
  if (stateDir) report(raw.top.get('state_dir')?.node ?? null, 'warning', 'state-dir-unusable', stateDir);

  const sorted = dedupe(findings).sort((a, b) => a.line - b.line || a.col - b.col);
  return { settings: sorted.some((f) => f.level === 'error') ? null : settings, findings: sorted };
}

function settingsOf(path: string, raw: RawSettings, entries: Entry[]): Settings {
  const get = <T>(key: string): T => (raw.top.get(key)?.value ?? defaultValue(TOP_KEYS[key] as never, key)) as T;
  return {
    file: path,
    listen: get<{ host: string; port: number }>('listen'),
    webhookUrlPath: get<string>('webhook_url_path'),
    stateDir: resolve(dirname(path), get<string>('state_dir')),
    logLevel: get<LogLevel>('log_level'),
    logFormat: get<LogFormat>('log_format'),
    maxBody: get<number>('max_body'),
    workers: get<number>('workers'),
    trustProxy: get<string[]>('trust_proxy'),
    shutdownTimeout: get<number>('shutdown_timeout'),
    keepRuns: get<number>('keep_runs'),
    maxLog: get<number>('max_log'),
    metrics: get<boolean>('metrics'),
    entries,
  };
}

/**
 * Entries that update one checkout (the same real repodir) must agree on how: different
 * branches (or tags) flip it on every push; a different update mode, remote or clone_url makes each
 * run undo or refuse what the other's did. One 'shared-checkout' warning per entry that
 * differs from the first on that checkout, naming what differs. Entries with update: none
 * do no git work, so they fight over nothing.
 */
function warnSharedCheckouts(raw: RawSettings, entries: Entry[], report: Report): void {
  const seen = new Map<string, Entry>();
  entries.forEach((entry, i) => {
    if (entry.repodir === null || REPODIR_HOLDS[entry.update] === 'nothing') return;
    const real = realOrSame(entry.repodir);
    const other = seen.get(real);
    if (!other) {
      seen.set(real, entry);
      return;
    }
    const differs = checkoutDifferences(other, entry);
    if (differs.length === 0) return;
    const rawEntry = raw.entries[i];
    const keys = differs.map((d) => d.replace(/ .*/, ''));
    const why = keys.includes('branch') ? 'each push flips it to the other\'s branch'
      : keys.includes('tags') ? 'a tag push leaves it on the tag until the other entry\'s next push moves it back'
        : 'each run undoes or refuses what the other\'s did';
    report(rawEntry?.fields.get('repodir')?.node ?? rawEntry?.nameNode, 'warning', 'shared-checkout',
      `entries '${other.name}' and '${entry.name}' update the same checkout ${entry.repodir} with a different ${andList(differs)}: ${why}; ` +
      `give them the same ${andList(keys)}, or a repodir each`);
  });
}

/** What two entries on one checkout set differently, as `key (a vs b)` (clone_url bare); a clone_url only one of them sets is no conflict. */
function checkoutDifferences(a: Entry, b: Entry): string[] {
  const out: string[] = [];
  const pair = (key: string, x: string, y: string): void => {
    if (x !== y) out.push(`${key} (${x} vs ${y})`);
  };
  pair('branch', [...a.branches].sort().join(', ') || '[]', [...b.branches].sort().join(', ') || '[]');
  // A tag push checks the tag out detached; the other entry's next branch push flips it back.
  pair('tags', String(a.tags), String(b.tags));
  pair('update', a.update, b.update);
  pair('remote', a.remote, b.remote);
  // Only a missing checkout is cloned, by whichever entry runs first: only two URLs disagree.
  // Not shown: a URL may hold credentials, and the file has both.
  if (a.cloneUrl !== null && b.cloneUrl !== null && a.cloneUrl.trim() !== b.cloneUrl.trim()) out.push('clone_url');
  return out;
}

/** `a`, `a and b`, `a, b and c`. */
function andList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The settings file's permission bits; null when it cannot be stat'ed (it was just read, so rarely). */
function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

/**
 * A settings file group or others may write lets them run commands as the whauto user.
 * Others may read it (init writes it 0644 for the service user); that matters only with an
 * inline secret, said by warnReadableInlineSecret.
 */
function warnWritableSettings(mode: number, report: Report): void {
  if ((mode & 0o022) === 0) return;
  report(null, 'warning', 'settings-writable',
    `the settings file is writable by group or others (mode ${mode.toString(8)}): whoever can write it runs commands as the whauto user; chmod go-w it (644; 640 or 600 with an inline secret)`);
}

/**
 * An inline `secret:` in a file others may read is a leaked secret. Group read is not
 * warned: 0640 with the service user's group is how that user reads a root-owned file,
 * the same as for a secret_file.
 */
function warnReadableInlineSecret(mode: number, raw: RawSettings, report: Report): void {
  const inline: Node[] = [];
  for (const map of [raw.defaults, ...raw.entries.map((e) => e.fields)]) {
    const field = map.get('secret');
    if (field) inline.push(field.keyNode);
  }
  // The read bit only: a file others may write but not read is settings-writable's business.
  if (inline.length === 0 || (mode & 0o004) === 0) return;
  // One finding for the file (at its first inline secret): one chmod fixes them all.
  const more = inline.length > 1 ? ` (${inline.length} inline secrets)` : '';
  report(inline[0]!, 'warning', 'secret-in-readable-file',
    `the settings file holds a secret${more} and is readable by others (mode ${mode.toString(8)}): chmod o-r it (600, or 640 with the service user's group), or use secret_file/secret_env`);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.line}:${f.col}:${f.code}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
