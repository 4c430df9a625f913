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

  /** The minimal ranges of everything added. */
  finish(): V6Ranges {
    const s = this.singles.xs;
    const ns = this.singles.n >>> 2;
    const r = this.ranges.xs;
    const nr = this.ranges.n >>> 3;
    const so = sortV6Order(s, 4, ns);
    const ro = sortV6Order(r, 8, nr);
    return coalesce((emit) => {
      let i = 0;
      let j = 0;
      while (i < ns || j < nr) {
        const si = 4 * (so[i] ?? 0);
        const rj = 8 * (ro[j] ?? 0);
        if (j >= nr || (i < ns && cmpV6(s, si, r, rj) <= 0)) { emit(s, si, s, si); i++; }
        else { emit(r, rj, r, rj + 4); j++; }
      }
    }, ns + nr);
  }
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
