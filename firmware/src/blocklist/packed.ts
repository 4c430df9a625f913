// Compact, pure storage of a feed's (or a group's) merged ranges. At 1M entries an IpRange
// object with two bigints costs ~70 bytes; here IPv4 costs 8 bytes a range (two Uint32Arrays:
// an address is a uint32, and every sum such as last + 1 is taken in a JS number, never
// stored) and a hash-set single 4 bytes (Uint32Array); IPv6 32 bytes
// a range (packedV6.ts: four uint32 words an address).
import type { IpRange } from '../net/ip.js';
import { mergeRanges } from '../net/rangeMerge.js';

import { sortU32 } from '../net/cidrNumbers.js';
import { EMPTY_V6, unionV6, V6Collector, v6PartsRanges, type V6Ranges } from './packedV6.js';

export { splitPacked, type SetContent } from './prefixSets.js';

/** Sorted, disjoint, non-adjacent ranges per family (IPv6: v6First/v6Last, 4 words each). */
export interface PackedRanges extends V6Ranges {
  v4First: Uint32Array;
  v4Last: Uint32Array;
}

export const EMPTY_PACKED: PackedRanges = { v4First: new Uint32Array(0), v4Last: new Uint32Array(0), ...EMPTY_V6 };

/** Merges guarded entries (any order, duplicates allowed) into packed minimal ranges. */
export function packRanges(entries: readonly IpRange[]): PackedRanges {
  const m = mergeRanges([entries.filter((r) => r.family === 4)]);
  const v6 = new V6Collector();
  for (const r of entries) if (r.family === 6) v6.addRange(r);
  return {
    v4First: Uint32Array.from(m[4], (r) => Number(r.first)),
    v4Last: Uint32Array.from(m[4], (r) => Number(r.last)),
    ...v6.finish(),
  };
}

/** Makers of NumList's arrays: top-level, so every list holds the same function (a closure
 *  made per list made V8 drop the packer's optimised code at the next refresh: "wrong call target"). */
const newU32 = (n: number): Uint32Array => new Uint32Array(n);
const newF64 = (n: number): Float64Array => new Float64Array(n);

/** A growable typed array of numbers. */
class NumList<A extends Float64Array | Uint32Array> {
  n = 0;
  constructor(public xs: A, private readonly make: (n: number) => A) {}
  push(v: number): void {
    if (this.n === this.xs.length) {
      const bigger = this.make(this.xs.length * 2);
      bigger.set(this.xs);
      this.xs = bigger;
    }
    this.xs[this.n++] = v;
  }
  /** Room for `total` values in `xs` (grown by doubling at least). */
  reserve(total: number): void {
    if (total <= this.xs.length) return;
    const bigger = this.make(Math.max(total, this.xs.length * 2));
    bigger.set(this.xs);
    this.xs = bigger;
  }
  /** The values held (a view); the list then lets go of them. */
  take(): A {
    const out = this.xs.subarray(0, this.n) as A;
    this.xs = this.make(0);
    this.n = 0;
    return out;
  }
}

/** True when `xs` never goes down (duplicates allowed). */
function ascending(xs: Uint32Array): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i] ?? 0) < (xs[i - 1] ?? 0)) return false;
  return true;
}

/** Writes the single addresses among entries k < n into `xs` from index `at`, moves the
 *  others to the front of `firsts`/`lasts` and returns how many those are. A loop with no call
 *  in it: a rarely taken call inside the loop (a prefix among 97% singles) had no type feedback
 *  when V8 compiled it and threw the code away at every batch that met one. */
function takeSingles(firsts: Float64Array, lasts: Float64Array, n: number, xs: Uint32Array, at: number): number {
  let o = 0;
  for (let k = 0; k < n; k++) {
    const f = firsts[k] ?? 0;
    const l = lasts[k] ?? 0;
    if (f === l) xs[at++] = f;
    else {
      firsts[o] = f;
      lasts[o] = l;
      o++;
    }
  }
  return o;
}

/** Collects guarded entries one by one and packs them, IPv4 on numbers: a single into a
 *  growing Float64Array (8 bytes), a prefix as one sortable number (network × 64 + host
 *  bits), other ranges as pairs; never an IpRange object (~70 bytes) per IPv4 entry. */
export class RangePacker {
  private readonly singles = new NumList(new Uint32Array(1024), newU32);
  private readonly prefixes = new NumList(new Float64Array(256), newF64);
  private readonly pairs: Array<[number, number]> = [];
  private readonly v6 = new V6Collector();

  add(r: IpRange): void {
    if (r.family === 4) return this.addV4(Number(r.first), Number(r.last));
    this.v6.addRange(r);
  }

  /** An IPv6 entry as words (first at w[0..3], last at w[4..7]). */
  addV6(w: Uint32Array): void {
    this.v6.add(w);
  }

  /** IPv6 entries k < n as words (first at words[8k..8k+3], last at words[8k+4..8k+7]; parse.ts
   *  onV6Batch). */
  addV6Batch(words: Uint32Array, n: number): void {
    for (let k = 0; k < n; k++) this.v6.add(words, 8 * k);
  }

  /** An IPv4 entry as numbers, first ≤ last. */
  addV4(first: number, last: number): void {
    if (first === last) return this.singles.push(first);
    const size = last - first + 1;
    const hostBits = Math.log2(size);
    if (Number.isInteger(hostBits) && first % size === 0) this.prefixes.push(first * 64 + hostBits);
    else this.pairs.push([first, last]);
  }

  /** IPv4 entries k < n as numbers (first ≤ last) at firsts[k], lasts[k] (parse.ts onV4Batch;
   *  the arrays are reused as scratch): the singles written straight into their array by one
   *  top-level loop with no call in it, the few others (prefixes, pairs) added one by one after. */
  addV4Batch(firsts: Float64Array, lasts: Float64Array, n: number): void {
    const singles = this.singles;
    singles.reserve(singles.n + n);
    const others = takeSingles(firsts, lasts, n, singles.xs, singles.n);
    singles.n += n - others;
    for (let k = 0; k < others; k++) this.addV4(firsts[k] ?? 0, lasts[k] ?? 0);
  }

  /** The minimal packed ranges of everything added. */
  finish(): PackedRanges {
    return this.finishWithParts().ranges;
  }

  /** finish, with the IPv4 and IPv6 parts it merged (for the next refresh: lastParse.ts). */
  finishWithParts(): { ranges: PackedRanges; parts: V4Parts; v6Parts: Uint32Array } {
    const parts = this.parts();
    const v6Parts = this.v6Parts();
    return { ranges: { ...unionParts(parts), ...v6PartsRanges(v6Parts) }, parts, v6Parts };
  }

  /** The IPv6 entries added, sorted by (first, last), duplicates kept (packedV6.ts V6Collector.parts). */
  v6Parts(): Uint32Array {
    return this.v6.parts();
  }

  /** The IPv4 entries added, sorted, duplicates kept (what finish merges; a later refresh
   *  patches them, bodyDelta.ts). The packer lets go of them. */
  parts(): V4Parts {
    const singles = this.singles.take();
    // feeds are mostly published in address order: then one check replaces the radix sort;
    // duplicates are left in: the merge joins equal neighbours anyway (one pass less)
    const sorted = ascending(singles) ? singles : sortU32(singles);
    // duplicates kept: a patch takes away as many as a dropped line held
    const keys = this.prefixes.take().sort();
    const ranges: Array<[number, number]> = [...this.pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const pf = new Uint32Array(keys.length + ranges.length);
    const pl = new Uint32Array(keys.length + ranges.length);
    // prefixes (sorted by network, then size) and pairs (sorted by first, then last), merged
    // by (first, last)
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < keys.length || j < ranges.length) {
      const key = keys[i];
      const kf = key === undefined ? Infinity : Math.floor(key / 64);
      const kl = kf + 2 ** ((key ?? 0) % 64) - 1;
      const r = ranges[j];
      if (r === undefined || kf < r[0] || (kf === r[0] && kl <= r[1])) {
        pf[k] = kf;
        pl[k++] = kl;
        i++;
      } else {
        pf[k] = r[0];
        pl[k++] = r[1];
        j++;
      }
    }
    return { singles: sorted, otherFirst: pf, otherLast: pl };
  }
}

/** A feed's IPv4 entries before the merge: single addresses ascending, the other entries by
 *  (first, last); duplicates kept. Addresses, all in Uint32Arrays (gallop.ts). */
export interface V4Parts {
  singles: Uint32Array;
  otherFirst: Uint32Array;
  otherLast: Uint32Array;
}

/** The minimal ranges of IPv4 parts. */
export function unionParts(p: V4Parts): Pick<PackedRanges, 'v4First' | 'v4Last'> {
  // the singles stay a Uint32Array into the merge (no Float64 copy of 1M singles)
  return unionV4(p.singles, p.singles, p.otherFirst, p.otherLast);
}

/** Whether two word arrays hold the same words (one native compare). */
export function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  return a === b || (a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
}

/** Number of merged ranges held (both families). */
export function packedCount(p: PackedRanges): number {
  return p.v4First.length + (p.v6First.length >>> 2);
}

/** Union of two packed lists, still minimal (linear merge-walk); each input sorted by
 *  first (overlaps and neighbours within an input are joined too). */
function union2(a: PackedRanges, b: PackedRanges): PackedRanges {
  return { ...unionV4(a.v4First, a.v4Last, b.v4First, b.v4Last), ...unionV6(a, b) };
}

/** The IPv4 part of union2 (and of unionParts: the singles against the other entries). */
function unionV4(af: Uint32Array, al: Uint32Array, bf: Uint32Array, bl: Uint32Array): Pick<PackedRanges, 'v4First' | 'v4Last'> {
  const na = af.length;
  const nb = bf.length;
  const first = new Uint32Array(na + nb);
  const last = new Uint32Array(na + nb);
  let k = -1;
  let i = 0;
  let j = 0;
  // reads stay inside the arrays (an out-of-bounds typed-array read is slow in V8)
  while (i < na || j < nb) {
    let f: number;
    let l: number;
    if (j >= nb || (i < na && (af[i] ?? 0) <= (bf[j] ?? 0))) {
      f = af[i] ?? 0;
      l = al[i] ?? 0;
      i++;
    } else {
      f = bf[j] ?? 0;
      l = bl[j] ?? 0;
      j++;
    }
    if (k >= 0 && f <= (last[k] ?? 0) + 1) {
      if (l > (last[k] ?? 0)) last[k] = l;
    } else {
      k++;
      first[k] = f;
      last[k] = l;
    }
  }
  // nearly full (lists that hardly join, as a feed's singles): a view, not another copy
  const n = k + 1;
  if (n >= (na + nb) * 0.9) return { v4First: first.subarray(0, n), v4Last: last.subarray(0, n) };
  return { v4First: first.slice(0, n), v4Last: last.slice(0, n) };
}

/** Union of any number of packed lists (feeds of one group). */
export function unionPacked(lists: readonly PackedRanges[]): PackedRanges {
  let acc = EMPTY_PACKED;
  for (const p of lists) acc = acc === EMPTY_PACKED ? p : union2(acc, p);
  return acc;
}

/** True if `addr` (IPv4 as a number) is inside the packed ranges (binary search). */
export function packedHasV4(p: PackedRanges, v: number): boolean {
  let lo = 0;
  let hi = p.v4First.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (v < (p.v4First[mid] ?? -Infinity)) hi = mid - 1;
    else if (v > (p.v4Last[mid] ?? Infinity)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Dotted-decimal text of an IPv4 address held as a number (no bigint on the hot path). */
export function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export interface U32Diff {
  add: Uint32Array;
  del: Uint32Array;
}

/** How many values two ascending duplicate-free Uint32Arrays share: each value of the shorter
 *  looked up in the longer by binary search, so a first load after a one-entry list costs a
 *  few steps, not a walk over both (the order is the caller's promise, not checked here). */
export function commonU32(a: Uint32Array, b: Uint32Array): number {
  const [small, large] = a.length <= b.length ? [a, b] : [b, a];
  let common = 0;
  let lo = 0;
  for (let i = 0; i < small.length; i++) {
    const v = small[i] ?? 0;
    let hi = large.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((large[mid] ?? 0) < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo < large.length && large[lo] === v) common++;
  }
  return common;
}

/** Diff two ascending duplicate-free Uint32Arrays; throws RangeError if either is not.
 *  The results are typed arrays filled in place (no number per element boxed in an Array);
 *  against an empty side the other side is returned as it is (a first load of 1M). */
export function diffU32(prev: Uint32Array, next: Uint32Array): U32Diff {
  const ascending = (xs: Uint32Array, what: string): void => {
    for (let i = 1; i < xs.length; i++) if ((xs[i] ?? 0) <= (xs[i - 1] ?? 0)) throw new RangeError(`${what} not strictly ascending`);
  };
  ascending(prev, 'prev');
  ascending(next, 'next');
  if (prev.length === 0) return { add: next, del: prev };
  if (next.length === 0) return { add: next, del: prev };
  const add = new Uint32Array(next.length);
  const del = new Uint32Array(prev.length);
  let na = 0;
  let nd = 0;
  let i = 0;
  let j = 0;
  while (i < prev.length && j < next.length) {
    const p = prev[i] ?? 0;
    const n = next[j] ?? 0;
    if (p < n) { del[nd++] = p; i++; }
    else if (n < p) { add[na++] = n; j++; }
    else { i++; j++; }
  }
  while (i < prev.length) del[nd++] = prev[i++] ?? 0;
  while (j < next.length) add[na++] = next[j++] ?? 0;
  return { add: add.slice(0, na), del: del.slice(0, nd) };
}
