/**
 * Orders tag names by version, as `git tag --sort=version:refname` does for the usual names:
 * runs of digits compare as numbers (v1.10 after v1.9), other runs by code unit, and a name
 * that is a prefix of another comes first (v1.0 before v1.0-rc1, as in git without
 * versionsort.suffix). Negative when `a` comes first.
 */
export function byVersion(a: string, b: string): number {
  const x = a.match(PARTS) ?? [];
  const y = b.match(PARTS) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const bothDigits = DIGITS.test(p) && DIGITS.test(q);
    if (bothDigits) {
      // As numbers, without a limit on their size: fewer digits (leading zeros aside) is smaller.
      const [m, n] = [p.replace(/^0+(?=.)/, ''), q.replace(/^0+(?=.)/, '')];
      if (m.length !== n.length) return m.length - n.length;
      if (m !== n) return m < n ? -1 : 1;
      continue;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length || (a < b ? -1 : a > b ? 1 : 0);
}

const PARTS = /\d+|\D+/g;
const DIGITS = /^\d+$/;
