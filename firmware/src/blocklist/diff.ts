// Element diff between the last-applied and the new content of one family's sets, so an
// update touches only what changed: adds/deletes for the singles hash set, and a yes/no
// for the interval set (which is swapped whole, never edited: deleting from a large
// interval set is pathological in nft 1.0.6). Linear merge-walk over sorted arrays: O(n)
// time, and no Set of 1M keys (a Set<bigint> of 1M costs ~80 MB more than the arrays).
import type { IpRange } from '../net/ip.js';
import type { NftSplit } from '../net/rangeMerge.js';

export interface SinglesDiff {
  /** In `next` but not in `prev`, ascending. */
  add: bigint[];
  /** In `prev` but not in `next`, ascending. */
  del: bigint[];
}

/** Diff two ascending, duplicate-free arrays; throws RangeError if either is not. */
export function diffSingles(prev: readonly bigint[], next: readonly bigint[]): SinglesDiff {
  const add: bigint[] = [];
  const del: bigint[] = [];
  let i = 0;
  let j = 0;
  let lastP = -1n;
  let lastN = -1n;
  while (i < prev.length || j < next.length) {
    const p = prev[i];
    const n = next[j];
    if (p !== undefined && p <= lastP) throw new RangeError(`prev not ascending at ${i}`);
    if (n !== undefined && n <= lastN) throw new RangeError(`next not ascending at ${j}`);
    if (p !== undefined && (n === undefined || p < n)) {
      del.push(p);
      lastP = p;
      i++;
    } else if (n !== undefined && (p === undefined || n < p)) {
      add.push(n);
      lastN = n;
      j++;
    } else { // equal: in both, unchanged
      if (p !== undefined) lastP = p;
      if (n !== undefined) lastN = n;
      i++;
      j++;
    }
  }
  return { add, del };
}

/** Diff two lists of disjoint ranges in address order (an interval set's elements): a
 *  range is kept only when the same first and last are in both. */
export function diffRanges(prev: readonly IpRange[], next: readonly IpRange[]): { add: IpRange[]; del: IpRange[] } {
  const add: IpRange[] = [];
  const del: IpRange[] = [];
  let i = 0;
  let j = 0;
  while (i < prev.length || j < next.length) {
    const p = prev[i];
    const n = next[j];
    if (p && n && p.first === n.first && p.last === n.last) { i++; j++; continue; }
    if (p && (!n || p.first <= n.first)) { del.push(p); i++; }
    else if (n) { add.push(n); j++; }
  }
  return { add, del };
}

/** True if two interval lists hold exactly the same ranges in the same order. */
export function sameIntervals(a: readonly IpRange[], b: readonly IpRange[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return false; // same lengths: never
    if (x.family !== y.family || x.first !== y.first || x.last !== y.last) return false;
  }
  return true;
}

export interface SetUpdate {
  singles: SinglesDiff;
  /** The interval set must be rebuilt and swapped in. */
  swapIntervals: boolean;
  /** Element counts the kernel must report after apply. */
  expect: { singles: number; intervals: number };
}

/** Plan the update of one family's sets from last-applied `prev` (null: nothing loaded). */
export function planSetUpdate(prev: NftSplit | null, next: NftSplit): SetUpdate {
  return {
    singles: diffSingles(prev?.singles ?? [], next.singles),
    swapIntervals: prev === null || !sameIntervals(prev.intervals, next.intervals),
    expect: { singles: next.singles.length, intervals: next.intervals.length },
  };
}
