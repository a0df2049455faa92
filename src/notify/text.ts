import { formatDuration } from '../log/format-duration.ts';
import type { Announcement } from './types.ts';

/** What each event says of the branch or tag (`t`: `main at 1a2b3c4`). */
const SAID: Record<Announcement['event'], (t: string) => string> = {
  started: (t) => `deploying ${t}`,
  succeeded: (t) => `deployed ${t}`,
  failed: (t) => `deploy of ${t} failed`,
  'timed out': (t) => `deploy of ${t} timed out`,
  interrupted: (t) => `deploy of ${t} interrupted`,
  'rolled back': (t) => `rolled back to ${t}`,
  test: (t) => `test message (${t})`,
};

/** `site: deployed main at 1a2b3c4 (12s)`: the one line every format leads with. */
export function headline(a: Announcement): string {
  const at = a.commit ? ` at ${a.commit.slice(0, 7)}` : '';
  const took = a.durationMs === null ? '' : ` (${formatDuration(a.durationMs)})`;
  return `${a.entry}: ${said(a)(a.target + at)}${took}`;
}

/** What `a`'s event says; a rollback's start is not a deploy of the branch's tip. */
function said(a: Announcement): (t: string) => string {
  return a.event === 'started' && a.trigger === 'rollback' ? (t) => `rolling back to ${t}` : SAID[a.event];
}

/** The lines under the headline: the commit's subject, who pushed, why it failed, where it ran. */
export function details(a: Announcement): string[] {
  const out: string[] = [];
  if (a.subject) out.push(`commit: ${a.subject}`);
  if (a.pusher) out.push(`pushed by ${a.pusher}`);
  if (a.message) out.push(a.message);
  out.push(a.event === 'test' ? `from ${a.host} (no run: whauto notify --test)` : `run ${a.runId} (${a.trigger}) on ${a.host}`);
  return out;
}

/** The headline, the details and the log's tail as one plain text (ntfy, Matrix's body). */
export function plainText(a: Announcement): string {
  const tail = a.logTail?.length ? ['', ...a.logTail] : [];
  return [headline(a), ...details(a), ...tail].join('\n');
}

/** A commit status's one line (at most 140 characters, what GitHub shows whole). */
export function statusDescription(a: Announcement): string {
  const line = a.event === 'test' ? 'a test status from whauto notify --test (no deploy ran)'
    : a.event === 'started' ? said(a)(a.target)
    : a.result === 'succeeded' ? `deployed ${a.target}${a.durationMs === null ? '' : ` in ${formatDuration(a.durationMs)}`}`
      : `${a.result}${a.message ? `: ${a.message}` : ''}`;
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}
