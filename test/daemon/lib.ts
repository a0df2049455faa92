// Shared bits of the daemon tests: small entries that run gated commands, deliveries to them, status.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from '../helpers/daemon.ts';
import { post } from '../helpers/http.ts';
import { pushDelivery } from '../helpers/payloads.ts';
import { whauto } from '../helpers/run.ts';
import { waitFor } from '../helpers/wait.ts';

export const SECRET = 'daemon-test-secret-4b1d';

/**
 * A command that appends "<entry> <trigger> <run id>" to $COUNT, holds while the file $GATE
 * exists (so a test decides when it ends, not a clock), then appends "end <entry>" to $ENDS.
 */
export const GATED = 'echo "$WHAUTO_ENTRY $WHAUTO_TRIGGER $WHAUTO_RUN_ID" >> "$COUNT"; while [ -e "$GATE" ]; do sleep 0.05; done; echo "end $WHAUTO_ENTRY" >> "$ENDS"';

/** An entry without git (update: none) in its own workdir under `dir`, running `commands`. */
export function plainEntry(dir: string, name: string, commands: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const workdir = join(dir, 'work', name);
  mkdirSync(workdir, { recursive: true });
  return {
    provider: 'github', secret: SECRET, repo: `acme/${name}`, branch: 'main', update: 'none', workdir,
    env: { COUNT: join(dir, 'count'), GATE: join(dir, 'gate'), ENDS: join(dir, 'ends') },
    commands, ...extra,
  };
}

/** Posts a signed GitHub push of `acme/<entry>` main to the entry's URL. */
export async function deliver(daemon: Daemon, entry: string, after = '2'.repeat(40), secret = SECRET): Promise<{ status: number; json: any; id: string }> {
  const d = pushDelivery('github', { repo: `acme/${entry}`, branch: 'main', after }, secret);
  const res = await post(`${daemon.base}/webhook/${entry}`, d.headers, d.body);
  return { ...res, id: d.headers['x-github-delivery']! };
}

/** Runs `whauto status ...args` and returns its exit code and output. */
export function status(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = whauto(['status', ...args]);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The daemon's poll state of `entry`, or null before its first poll. */
function pollState(stateDir: string, entry: string): any {
  const file = join(stateDir, 'polls', `${entry}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

/** Waits for a poll of `entry` that ended after `since` (ISO) and returns its state. */
export function pollAfter(stateDir: string, entry: string, since: string, timeoutMs = 40_000): Promise<any> {
  return waitFor(`a poll of ${entry} after ${since}`, () => {
    const s = pollState(stateDir, entry);
    return s?.last && s.last.at > since ? s : null;
  }, timeoutMs);
}
