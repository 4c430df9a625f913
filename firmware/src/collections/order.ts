// The order identifiers are sorted in (MACs, addresses, ids, interface and category names),
// without ICU. String.prototype.localeCompare builds an ICU collator, and the first one maps
// ~2.6 MB of collation data into utmd for good (issue 14: idle utmd ≤ 80 MB). These strings are
// ASCII identifiers, where code-unit order is what a reader expects (Array.prototype.sort's own
// default); interface names want their numbers compared as numbers.

/** Code-unit order, as a sort comparator (-1, 0, 1). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RUNS = /\d+|\D+/g;

/** Natural order: runs of digits compare as numbers (eth2 before eth10), the rest by code
 *  unit; equal numbers with other spellings (eth01, eth1) fall back to code-unit order. */
export function naturalOrder(a: string, b: string): number {
  const x = a.match(RUNS) ?? [];
  const y = b.match(RUNS) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p === q) continue;
    const dp = p.charCodeAt(0) >= 48 && p.charCodeAt(0) <= 57;
    const dq = q.charCodeAt(0) >= 48 && q.charCodeAt(0) <= 57;
    if (dp && dq) {
      // compare as numbers without overflow: strip leading zeros, then length, then text
      const u = p.replace(/^0+(?=\d)/, '');
      const v = q.replace(/^0+(?=\d)/, '');
      if (u.length !== v.length) return u.length - v.length < 0 ? -1 : 1;
      if (u !== v) return byCodeUnit(u, v);
      continue;
    }
    return byCodeUnit(p, q);
  }
  return x.length !== y.length ? (x.length < y.length ? -1 : 1) : byCodeUnit(a, b);
}
