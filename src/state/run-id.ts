import { randomBytes } from 'node:crypto';

/** A new run id: UTC time to the second plus 4 random hex digits, so ids sort by start. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(2).toString('hex')}`;
}
