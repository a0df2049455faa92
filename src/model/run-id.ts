import { randomBytes } from 'node:crypto';

/** A new run id: UTC time to the millisecond plus 4 random hex digits, e.g. 20261129T072714123Z-3f2a; ids sort by acceptance. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:.]/g, '');
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/** Whether `id` has the shape newRunId gives (so it is safe in a path). */
export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && /^\d{8}T\d{9}Z-[0-9a-f]{4}$/.test(id);
}
