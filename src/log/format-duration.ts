/** A duration in ms for people: 450ms, 1s, 2.5s, 90s, 15m, 1h, 1h30m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000 || ms % 60_000 !== 0) {
    const s = ms / 1000;
    return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  }
  const m = ms / 60_000;
  if (m < 60 || m % 60 !== 0) return m >= 60 ? `${Math.floor(m / 60)}h${m % 60}m` : `${m}m`;
  return `${m / 60}h`;
}
