// A feed's (or a group's) merged IPv6 ranges on numbers (issue 14): first and last addresses
// in two Uint32Arrays of 4 words an address (net/ip6Numbers.ts), sorted, disjoint and
// non-adjacent; 32 bytes a range instead of an IpRange with two bigints (~100 bytes). The
// collector sorts (radix) and joins entries as iprange does; the union of a group's feeds is a
// linear merge-walk. The IPv4 twin lives in packed.ts. Pure.
import type { IpRange } from '../net/ip.js';
import { cmpV6, copyV6, putV6BigInt, readV6RangeText, sortV6Order, touchesV6, v6BigInt } from '../net/ip6Numbers.js';
import { v6RangesJson as rangesJson } from '../net/ip6Text.js';

/** Sorted, disjoint, non-adjacent IPv6 ranges (4 words an address). */
export interface V6Ranges {
  v6First: Uint32Array;
  v6Last: Uint32Array;
}

export const EMPTY_V6: V6Ranges = { v6First: new Uint32Array(0), v6Last: new Uint32Array(0) };

/** A growable list of 32-bit words. */
class Words {
  n = 0;
  xs = new Uint32Array(256);
  /** Appends `count` words of src from `at`. */
  push(src: Uint32Array, at: number, count: number): void {
    if (this.n + count > this.xs.length) {
      const bigger = new Uint32Array(Math.max(this.xs.length * 2, this.n + count));
      bigger.set(this.xs.subarray(0, this.n));
      this.xs = bigger;
    }
    for (let k = 0; k < count; k++) this.xs[this.n++] = src[at + k] ?? 0;
  }
}

/** Joins ranges given in order of their first address (pairs at f[4i..], l[4i..] visited in
 *  `order`) into minimal ranges. */
function coalesce(next: (emit: (f: Uint32Array, fi: number, l: Uint32Array, li: number) => void) => void, maxRanges: number): V6Ranges {
  const first = new Uint32Array(4 * maxRanges);
  const last = new Uint32Array(4 * maxRanges);
  let k = -4;
  next((f, fi, l, li) => {
    if (k >= 0 && touchesV6(last, k, f, fi)) {
      if (cmpV6(l, li, last, k) > 0) copyV6(l, li, last, k);
      return;
    }
    k += 4;
    copyV6(f, fi, first, k);
    copyV6(l, li, last, k);
  });
  return { v6First: first.slice(0, k + 4), v6Last: last.slice(0, k + 4) };
}

/** Collects guarded IPv6 entries (any order, duplicates allowed) as words and packs them. */
export class V6Collector {
  private readonly singles = new Words();
  /** first (4 words) and last (4 words) of every other entry. */
  private readonly ranges = new Words();
  private readonly scratch = new Uint32Array(8);

  /** An entry as words: first at w[at..at+3], last at w[at+4..at+7]. */
  add(w: Uint32Array, at = 0): void {
    if (cmpV6(w, at, w, at + 4) === 0) this.singles.push(w, at, 4);
    else this.ranges.push(w, at, 8);
  }

  /** An entry the full parser read (bigints; rare lines and ranges). */
  addRange(r: IpRange): void {
    putV6BigInt(r.first, this.scratch, 0);
    putV6BigInt(r.last, this.scratch, 4);
    this.add(this.scratch);
  }

  /** Everything added, sorted by first then last address, duplicates kept: entry k at
   *  words[8k..8k+7] (a feed's IPv6 parts, which a later refresh patches: lastParse.ts). */
  parts(): Uint32Array {
    const s = this.singles.xs;
    const ns = this.singles.n >>> 2;
    const r = this.ranges.xs;
    const nr = this.ranges.n >>> 3;
    const so = sortV6Order(s, 4, ns);
    const ro = sortV6Order(r, 8, nr, 8);
    const out = new Uint32Array(8 * (ns + nr));
    for (let i = 0, j = 0, k = 0; i < ns || j < nr; k += 8) {
      const si = 4 * (so[i] ?? 0);
      const rj = 8 * (ro[j] ?? 0);
      // a single before a range of the same first address (its last is higher)
      if (j >= nr || (i < ns && cmpV6(s, si, r, rj) <= 0)) { copyV6(s, si, out, k); copyV6(s, si, out, k + 4); i++; }
      else { copyV6(r, rj, out, k); copyV6(r, rj + 4, out, k + 4); j++; }
    }
    return out;
  }

  /** The minimal ranges of everything added. */
  finish(): V6Ranges {
    return v6PartsRanges(this.parts());
  }
}

/** The minimal ranges of sorted parts (V6Collector.parts, patchV6Parts): one top-level loop,
 *  no callback (it runs cold once per refresh, over every entry). */
export function v6PartsRanges(parts: Uint32Array): V6Ranges {
  const n = parts.length >>> 3;
  const first = new Uint32Array(4 * n);
  const last = new Uint32Array(4 * n);
  let k = -4;
  for (let e = 0; e < 8 * n; e += 8) {
    if (k >= 0 && touchesV6(last, k, parts, e)) {
      if (cmpV6(parts, e + 4, last, k) > 0) copyV6(parts, e + 4, last, k);
      continue;
    }
    k += 4;
    copyV6(parts, e, first, k);
    copyV6(parts, e + 4, last, k);
  }
  return { v6First: first.slice(0, k + 4), v6Last: last.slice(0, k + 4) };
}

/** Compares entries (first, then last: 8 words) at a[ai..] and b[bi..]. */
function cmpEntry(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  return cmpV6(a, ai, b, bi) || cmpV6(a, ai + 4, b, bi + 4);
}

/** Index of the first entry of parts[lo..hi) (entry indexes) not below the entry at x[xi..]. */
function lowerBoundEntry(parts: Uint32Array, lo: number, hi: number, x: Uint32Array, xi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmpEntry(parts, 8 * mid, x, xi) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `base` − `minus` + `plus`, as multisets of sorted parts, sorted; null when `minus` is not
 *  within `base` (the caller then reads the whole body). The runs of `base` between two changes
 *  are copied whole (found by binary search: a 1% change copies ~1,000 runs, not 100k entries
 *  one by one); packedPatch.ts patchParts is the IPv4 twin. */
export function patchV6Parts(base: Uint32Array, minus: Uint32Array, plus: Uint32Array): Uint32Array | null {
  const nb = base.length >>> 3;
  const nm = minus.length >>> 3;
  const np = plus.length >>> 3;
  if (nm > nb) return null;
  const out = new Uint32Array(8 * (nb - nm + np));
  let i = 0; // entries of base copied or taken away
  let m = 0;
  let a = 0;
  let k = 0; // entries written
  while (m < nm || a < np) {
    const taking = a >= np || (m < nm && cmpEntry(minus, 8 * m, plus, 8 * a) <= 0);
    const change = taking ? minus : plus;
    const at = 8 * (taking ? m : a);
    const j = lowerBoundEntry(base, i, nb, change, at);
    // a dropped entry the base does not hold (before the copy: `out` has no room for it)
    if (taking && (j >= nb || cmpEntry(base, 8 * j, minus, at) !== 0)) return null;
    out.set(base.subarray(8 * i, 8 * j), 8 * k);
    k += j - i;
    i = j;
    if (taking) {
      i++;
      m++;
    } else {
      copyV6(plus, at, out, 8 * k);
      copyV6(plus, at + 4, out, 8 * k + 4);
      k++;
      a++;
    }
  }
  out.set(base.subarray(8 * i), 8 * k);
  return out;
}

/** Union of two minimal lists, still minimal (linear merge-walk). */
export function unionV6(a: V6Ranges, b: V6Ranges): V6Ranges {
  if (b.v6First.length === 0) return { v6First: a.v6First, v6Last: a.v6Last };
  if (a.v6First.length === 0) return { v6First: b.v6First, v6Last: b.v6Last };
  const na = a.v6First.length;
  const nb = b.v6First.length;
  return coalesce((emit) => {
    let i = 0;
    let j = 0;
    while (i < na || j < nb) {
      if (j >= nb || (i < na && cmpV6(a.v6First, i, b.v6First, j) <= 0)) { emit(a.v6First, i, a.v6Last, i); i += 4; }
      else { emit(b.v6First, j, b.v6Last, j); j += 4; }
    }
  }, (na + nb) >>> 2);
}

/** Index of the range holding the address at xs[xi..], or -1 (binary search). */
export function findV6(p: V6Ranges, xs: Uint32Array, xi: number): number {
  let lo = 0;
  let hi = (p.v6First.length >>> 2) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (cmpV6(xs, xi, p.v6First, 4 * mid) < 0) hi = mid - 1;
    else if (cmpV6(xs, xi, p.v6Last, 4 * mid) > 0) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** True if the bigint address `v` is in the ranges (one lookup: a log line's address). */
export function v6Has(p: V6Ranges, v: bigint): boolean {
  const w = new Uint32Array(4);
  putV6BigInt(v, w, 0);
  return findV6(p, w, 0) >= 0;
}

/** The ranges as IpRange objects (tests and small lists only). */
export function v6IpRanges(p: V6Ranges): IpRange[] {
  const out: IpRange[] = [];
  for (let i = 0; i < p.v6First.length; i += 4) out.push({ family: 6, first: v6BigInt(p.v6First, i), last: v6BigInt(p.v6Last, i) });
  return out;
}

/** Snapshot text of the ranges: the JSON array of their texts (`a`, `a/len`, `a-b`, as every
 *  snapshot format writes them). */
export function v6RangesJson(p: V6Ranges): string {
  return rangesJson(p.v6First, p.v6Last);
}

/** Reads v6RangesJson's texts back on numbers; throws IpParseError on a bad entry and RangeError when
 *  the list is not sorted, disjoint and non-adjacent (not written by us). */
export function v6RangesFromTexts(texts: readonly string[]): V6Ranges {
  const first = new Uint32Array(4 * texts.length);
  const last = new Uint32Array(4 * texts.length);
  const w = new Uint32Array(8);
  texts.forEach((t, i) => {
    readV6RangeText(t, w);
    if (i > 0 && touchesV6(last, 4 * (i - 1), w, 0)) throw new RangeError(`IPv6 range ${i} out of order`);
    copyV6(w, 0, first, 4 * i);
    copyV6(w, 4, last, 4 * i);
  });
  return { v6First: first, v6Last: last };
}
