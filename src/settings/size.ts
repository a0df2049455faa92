const UNIT_BYTES: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/**
 * Parses a size: a number of bytes or `512kb`, `25mb`, `1gb` (1024-based; `k`, `kib`, `mib`…
 * and any case accepted). Returns bytes (rounded down), or null when it is not a size.
 */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
  }
  if (typeof value !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(value.trim().toLowerCase());
  if (!m) return null;
  const unit = UNIT_BYTES[m[2] as string];
  return unit === undefined ? null : Math.floor(Number(m[1]) * unit);
}
