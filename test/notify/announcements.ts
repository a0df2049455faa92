// Announcements the notify tests send: what a failed run and a succeeded one say.
import type { Announcement } from '../../src/notify/types.ts';

export const FAILED: Announcement = {
  event: 'failed', entry: 'site', result: 'failed', trigger: 'webhook', ref: 'refs/heads/main', target: 'main',
  commit: 'a'.repeat(40), previous: 'b'.repeat(40), subject: 'Fix <login> & logout', pusher: 'alice', repository: 'acme/site',
  startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:12.000Z', durationMs: 12_000,
  failedStep: 'commands: npm ci', message: 'commands `npm ci` exited with 1', host: 'web1', runId: '20260101T000000000Z-abcd',
  logTail: ['npm ERR! code <E404>', '==> failed: commands `npm ci` exited with 1'],
};

export const SUCCEEDED: Announcement = {
  ...FAILED, event: 'succeeded', result: 'succeeded', failedStep: null, message: null, logTail: null, durationMs: 3_000,
  finishedAt: '2026-01-01T00:00:03.000Z',
};
