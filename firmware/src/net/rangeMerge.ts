// Deduplicate and aggregate guarded entries across feeds (in the manner of FireHOL's
// iprange) into a minimal list of disjoint ranges per family, then split that list the way
// nft wants it: single addresses for a hash set (cheap add/delete at 1M elements) and the
// rest for a small interval set (swapped whole when it changes, never edited in place).
import { exactCidr, formatRange, type Family, type IpRange } from './ip.js';

/** Sorted, disjoint, non-adjacent ranges of one family (the "minimal" form). */
export type MergedRanges = IpRange[];

export interface MergedByFamily { 4: MergedRanges; 6: MergedRanges }

const byFirst = (a: IpRange, b: IpRange): number => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0);

/** Merge any number of entry lists (any mix of families) into minimal ranges per family. */
export function mergeRanges(lists: Iterable<readonly IpRange[]>): MergedByFamily {
  // Singles dominate big feeds; IPv4 singles sort natively as doubles (far faster than a
  // comparator over bigints), everything else takes the comparator path.
  let v4Count = 0;
  const wide: Record<Family, IpRange[]> = { 4: [], 6: [] };
  const all: Array<readonly IpRange[]> = [];
  for (const list of lists) {
    all.push(list);
    for (const r of list) if (r.family === 4 && r.first === r.last) v4Count++;
  }
  const v4Singles = new Float64Array(v4Count);
  let k = 0;
  for (const list of all) {
    for (const r of list) {
      if (r.family === 4 && r.first === r.last) v4Singles[k++] = Number(r.first);
      else wide[r.family].push(r);
    }
  }
  v4Singles.sort();
  wide[4].sort(byFirst);
  wide[6].sort(byFirst);
  return { 4: coalesceV4(v4Singles, wide[4]), 6: coalesce(6, new Float64Array(0), wide[6]) };
}

/** IPv4 walk on doubles (exact below 2^53): no bigint arithmetic per element. */
function coalesceV4(singles: Float64Array, ranges: IpRange[]): MergedRanges {
  const out: IpRange[] = [];
  let curFirst = -2;
  let curLast = -2;
  const emit = (): void => {
    if (curFirst < 0) return;
    const f = BigInt(curFirst);
    out.push({ family: 4, first: f, last: curFirst === curLast ? f : BigInt(curLast) });
  };
  let si = 0;
  let ri = 0;
  const rFirst = Float64Array.from(ranges, (r) => Number(r.first));
  const rLast = Float64Array.from(ranges, (r) => Number(r.last));
  while (si < singles.length || ri < ranges.length) {
    let first: number;
    let last: number;
    // An exhausted stream reads as +Infinity, so the other one is taken.
    const sv = singles[si] ?? Infinity;
    const rf = rFirst[ri] ?? Infinity;
    if (sv <= rf) {
      first = last = sv;
      si++;
    } else {
      first = rf;
      last = rLast[ri] ?? rf;
      ri++;
    }
    if (first <= curLast + 1) {
      if (last > curLast) curLast = last;
    } else {
      emit();
      curFirst = first;
      curLast = last;
    }
  }
  emit();
  return out;
}

/** Walk two sorted streams (v4 singles as numbers, other ranges) and join overlaps/neighbours. */
function coalesce(family: Family, singles: Float64Array, ranges: IpRange[]): MergedRanges {
  const out: IpRange[] = [];
  let cur: IpRange | null = null;
  let si = 0;
  let ri = 0;
  while (si < singles.length || ri < ranges.length) {
    let next: IpRange;
    const s = singles[si] ?? Infinity; // exhausted: the ranges are taken
    const r = ranges[ri];
    if (r === undefined || s <= Number(r.first)) {
      const v = BigInt(s);
      next = { family, first: v, last: v };
      si++;
    } else {
      next = r;
      ri++;
    }
    if (cur !== null && next.first <= cur.last + 1n) {
      if (next.last > cur.last) cur = { family, first: cur.first, last: next.last };
      out[out.length - 1] = cur;
    } else {
      cur = next;
      out.push(cur);
    }
  }
  return out;
}

/** One element of an nft interval set: exact prefixes keep their prefix length. */
export interface IntervalElement extends IpRange { prefixLen: number | null }

export interface NftSplit {
  family: Family;
  /** Sorted single addresses → hash set. */
  singles: bigint[];
  /** Sorted multi-address ranges → interval set; prefix where exact. */
  intervals: IntervalElement[];
}

export interface SplitOptions {
  /** Ranges of at most this many addresses are expanded into singles (default 1: none). */
  expandUpTo?: number;
}

/** Split minimal ranges into hash-set singles and interval-set elements. */
export function splitForNft(family: Family, merged: MergedRanges, opts: SplitOptions = {}): NftSplit {
  const expandUpTo = BigInt(Math.max(1, Math.floor(opts.expandUpTo ?? 1)));
  const singles: bigint[] = [];
  const intervals: IntervalElement[] = [];
  for (const r of merged) {
    if (r.first === r.last) { // the common case at 1M: skip bigint arithmetic
      singles.push(r.first);
      continue;
    }
    const size = r.last - r.first + 1n;
    if (size <= expandUpTo) {
      for (let v = r.first; v <= r.last; v++) singles.push(v);
    } else {
      intervals.push({ ...r, prefixLen: exactCidr(r)?.prefixLen ?? null });
    }
  }
  return { family, singles, intervals };
}

/** nft element text of an interval: `a.b.c.d/len` when exact, else `a-b`. */
export function intervalText(e: IpRange): string {
  return formatRange(e);
}

/** Index of the merged range holding `value`, or -1 (binary search; for naming the feed of a hit). */
export function findRange(merged: MergedRanges, value: bigint): number {
  let lo = 0;
  let hi = merged.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = merged[mid];
    if (r === undefined) break; // never: lo <= mid <= hi < length
    if (value < r.first) hi = mid - 1;
    else if (value > r.last) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Total addresses covered (for status pages and sanity checks). */
export function addressCount(merged: MergedRanges): bigint {
  let n = 0n;
  for (const r of merged) n += r.last - r.first + 1n;
  return n;
}
