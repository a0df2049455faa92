const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * Parses a duration: a number of seconds (`90`, `0.5`) or `500ms`, `30s`, `10m`, `1h`, `2d`,
 * also combined (`1h30m`). Returns milliseconds (rounded), or null when it is not a duration
 * (negative numbers, unknown units, empty text).
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : null;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (text === '') return null;
  let ms = 0;
  PART.lastIndex = 0;
  let end = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    end = PART.lastIndex;
  }
  return end === text.length ? Math.round(ms) : null;
}
