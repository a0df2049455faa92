import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Writes `settings` as YAML to `<dir>/settings.yaml` (listening on an ephemeral port unless given) and returns the path. */
export function writeSettings(dir: string, settings: Record<string, unknown>, name = 'settings.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify({ listen: '127.0.0.1:0', state_dir: join(dir, 'state'), ...settings }), { mode: 0o600 });
  return file;
}

/**
 * A command that writes every WHAUTO_* variable, sorted, to the file named by $MARKER; through
 * a temp file and a rename, so a test polling for the marker never reads it half-written.
 */
export const MARK_ENV = "env | grep '^WHAUTO_' | sort > \"$MARKER.tmp\" && mv \"$MARKER.tmp\" \"$MARKER\"";

/** Reads a marker file written by MARK_ENV into a map. */
export function parseMarker(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** The marker file's variables, or null while it does not exist. */
export function readMarker(file: string): Record<string, string> | null {
  return existsSync(file) ? parseMarker(readFileSync(file, 'utf8')) : null;
}
