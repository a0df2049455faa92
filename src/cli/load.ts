import { accessSync, constants, mkdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatFinding } from '../settings/finding.ts';
import { loadSettings } from '../settings/load.ts';
import type { Entry, Settings } from '../settings/types.ts';
import { showControls } from '../log/logger.ts';
import type { Io } from './io.ts';

/**
 * Loads the settings for a command that needs valid ones: prints every error (and warning)
 * on stderr and returns null when the file does not validate. Warnings of a valid file go to
 * `onWarning` (formatted), for a caller that logs them (the daemon). `readSecrets: false`
 * for a command that verifies no delivery (see loadSettings).
 */
export function loadOrReport(io: Io, file: string, onWarning?: (text: string) => void, opts: { readSecrets?: boolean } = {}): Settings | null {
  const { settings, findings } = loadSettings(resolve(io.cwd, file), io.env, opts);
  for (const f of findings) {
    if (f.level === 'error' || settings === null) io.stderr(formatFinding(f) + '\n');
    else if (f.level === 'warning') onWarning?.(formatFinding(f));
  }
  return settings;
}

/** The entry `name` of `settings`; null after `whauto COMMAND` said on stderr that there is none, and which there are. */
export function entryOrReport(io: Io, command: string, settings: Settings, name: string): Entry | null {
  const entry = settings.entries.find((e) => e.name === name);
  if (!entry) io.stderr(`whauto ${command}: no entry named '${showControls(name)}' (entries: ${settings.entries.map((e) => e.name).join(', ') || 'none'})\n`);
  return entry ?? null;
}

/** Paths where our files can never go (and where a recursive mkdir may spin instead of failing). */
const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/** The pseudo filesystem `path` lies under ('/proc', …), or null. */
export function underPseudoFilesystem(path: string): string | null {
  return PSEUDO_FILESYSTEMS.find((p) => path === p || path.startsWith(`${p}/`)) ?? null;
}

/** Creates the state dir and checks it is writable; returns an error message or null. */
export function prepareStateDir(stateDir: string): string | null {
  const under = underPseudoFilesystem(stateDir);
  if (under) return `state dir ${stateDir} is not usable: it is under ${under}`;
  try {
    mkdirSync(stateDir, { recursive: true });
    accessSync(stateDir, constants.W_OK);
    for (const sub of ['queue', 'runs', 'locks']) mkdirSync(resolve(stateDir, sub), { recursive: true });
    accessSync(resolve(stateDir, 'queue'), constants.W_OK);
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM' ? `not writable (${e.code})` : e.message;
    return `state dir ${stateDir} is not usable: ${why}`;
  }
}

/**
 * Why `command` must not use an existing state dir that belongs to another user than the one
 * running it, or null when it may (or the dir is not there yet). Root can write anyone's
 * state dir, and would leave root-owned records, logs and clones behind that the daemon's
 * user cannot change.
 */
export function foreignStateDir(stateDir: string, command: 'serve' | 'trigger'): string | null {
  let uid: number;
  try {
    uid = statSync(stateDir).uid;
  } catch {
    return null; // not there yet: this run makes it
  }
  if (process.getuid === undefined || uid === process.getuid()) return null;
  // Root owning it is a slip (a command once run as root), not a user to become: whauto never runs as root.
  if (uid === 0) {
    const me = process.getuid();
    return `the state dir ${stateDir} belongs to root, not to you (uid ${me}): a whauto command was run as root once; ` +
      `give it back to the user whauto runs as (chown -R ${me} ${stateDir}, as root), and do not run whauto as root`;
  }
  let name: string | null = null;
  try {
    name = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid))?.split(':')[0] ?? null;
  } catch { /* no passwd file */ }
  const as = `sudo -u ${name ?? `'#${uid}'`} whauto ${command} …`;
  return `the state dir ${stateDir} belongs to ${name ?? 'another user'} (uid ${uid}), not to you: run ${command} as that user (${as}); ` +
    'run as you, its files and the checkouts would become yours and that user could not update them';
}
