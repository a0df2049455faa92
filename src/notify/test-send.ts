import type { Entry } from '../settings/types.ts';
import { testAnnouncement } from './announcement.ts';
import { sendNotify, sendStatus } from './deliver.ts';
import type { SendOptions, SendResult } from './send.ts';
import { shownUrl } from './shown-url.ts';
import { statusDescription } from './text.ts';
import type { Notice } from './notifier.ts';

/** How one test went: the target (its kind, scheme and host) and the sending's result. */
interface TestResult {
  kind: Notice['kind'];
  target: string;
  result: SendResult;
}

/**
 * `whauto notify --test`: sends a test message to each of `entry`'s notify targets (whatever
 * their `on` says), all at once, and with `commit` then a test commit status (success, "a
 * test status…") on it. Resolves with each result, targets in order, the status last.
 */
export async function sendTests(entry: Entry, commit: string | null, opts: SendOptions = {}): Promise<TestResult[]> {
  const a = await testAnnouncement(entry, commit);
  const out: TestResult[] = await Promise.all(entry.notify.map(async (t) => ({
    kind: t.format, target: t.url === null ? 'an unread url' : shownUrl(t.url), result: await sendNotify(t, a, opts),
  })));
  if (commit !== null) {
    const sent = await sendStatus(entry, null, { state: 'succeeded', sha: commit, description: statusDescription(a) }, opts);
    const why = entry.commitStatus === null ? `entry '${entry.name}' has no commit_status` : `${entry.provider} has no commit status API`;
    out.push(sent === null
      ? { kind: 'commit_status', target: entry.provider, result: { ok: false, status: null, tries: 0, error: why } }
      : { kind: 'commit_status', target: sent.target, result: sent.result });
  }
  return out;
}
