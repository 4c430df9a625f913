// A feed snapshot's IPv6 change against the base written before it (lastGood.ts; the IPv4
// twin is snapshotDelta.ts): a refresh that changed 1% of a 100k IPv6 list writes the ranges
// that left and came instead of the text of every range again (3.6 MB, ~10 ms to write out
// and as long to write down). Ranges are compared whole. Pure, on words (packedV6.ts).
import { cmpV6, copyV6, touchesV6 } from '../net/ip6Numbers.js';
import type { V6Ranges } from './packedV6.js';
import { SnapshotDeltaError } from './snapshotDelta.js';

/** What changed from a base list to a new one: ranges deleted and added, each in order. */
export interface V6Delta { del: V6Ranges; add: V6Ranges }

/** Whether range i of `a` and range j of `b` (word offsets) have the same first and last. */
function sameRange(a: V6Ranges, i: number, b: V6Ranges, j: number): boolean {
  return cmpV6(a.v6First, i, b.v6First, j) === 0 && cmpV6(a.v6Last, i, b.v6Last, j) === 0;
}

/** How many words of ranges from base[i..] and next[j..] are the same (a multiple of 4): the
 *  common case, most ranges unchanged, in one tight loop without calls. */
function equalRun(base: V6Ranges, i: number, next: V6Ranges, j: number): number {
  const bf = base.v6First;
  const bl = base.v6Last;
  const nf = next.v6First;
  const nl = next.v6Last;
  let k = 0;
  while (i + k < bf.length && j + k < nf.length
    && bf[i + k] === nf[j + k] && bf[i + k + 1] === nf[j + k + 1] && bf[i + k + 2] === nf[j + k + 2] && bf[i + k + 3] === nf[j + k + 3]
    && bl[i + k] === nl[j + k] && bl[i + k + 1] === nl[j + k + 1] && bl[i + k + 2] === nl[j + k + 2] && bl[i + k + 3] === nl[j + k + 3]) k += 4;
  return k;
}

/** Ranges as they are listed: words appended (4 a first address, 4 its last). */
class RangeList {
  readonly first: number[] = [];
  readonly last: number[] = [];
  push(r: V6Ranges, i: number): void {
    for (let k = 0; k < 4; k++) {
      this.first.push(r.v6First[i + k] ?? 0);
      this.last.push(r.v6Last[i + k] ?? 0);
    }
  }
  ranges(): V6Ranges {
    return { v6First: Uint32Array.from(this.first), v6Last: Uint32Array.from(this.last) };
  }
}

/** The ranges of `base` that are not in `next` (del) and of `next` not in `base` (add). */
export function diffV6Ranges(base: V6Ranges, next: V6Ranges): V6Delta {
  const del = new RangeList();
  const add = new RangeList();
  const nb = base.v6First.length;
  const nn = next.v6First.length;
  let i = 0;
  let j = 0;
  while (i < nb || j < nn) {
    const same = equalRun(base, i, next, j);
    i += same;
    j += same;
    if (i >= nb && j >= nn) break;
    if (j >= nn || (i < nb && cmpV6(base.v6First, i, next.v6First, j) <= 0)) { del.push(base, i); i += 4; }
    else { add.push(next, j); j += 4; }
  }
  return { del: del.ranges(), add: add.ranges() };
}

/** `base` without `d.del` and with `d.add`, in order. Throws SnapshotDeltaError when a deleted
 *  range is not in the base, or the result is not sorted, disjoint and non-adjacent (a delta
 *  that does not belong to this base). */
export function applyV6Delta(base: V6Ranges, d: V6Delta): V6Ranges {
  const n = base.v6First.length - d.del.v6First.length + d.add.v6First.length;
  if (n < 0) throw new SnapshotDeltaError('delta deletes more IPv6 ranges than its base holds');
  const first = new Uint32Array(n);
  const last = new Uint32Array(n);
  let k = 0;
  const put = (r: V6Ranges, i: number): void => {
    if (k >= n || cmpV6(r.v6Last, i, r.v6First, i) < 0 || (k > 0 && touchesV6(last, k - 4, r.v6First, i))) {
      throw new SnapshotDeltaError('delta IPv6 range does not fit its base');
    }
    copyV6(r.v6First, i, first, k);
    copyV6(r.v6Last, i, last, k);
    k += 4;
  };
  let di = 0;
  let ai = 0;
  for (let i = 0; i < base.v6First.length; i += 4) {
    if (di < d.del.v6First.length && sameRange(d.del, di, base, i)) { di += 4; continue; }
    for (; ai < d.add.v6First.length && cmpV6(d.add.v6First, ai, base.v6First, i) < 0; ai += 4) put(d.add, ai);
    put(base, i);
  }
  if (di !== d.del.v6First.length) throw new SnapshotDeltaError('delta deletes an IPv6 range its base does not hold');
  for (; ai < d.add.v6First.length; ai += 4) put(d.add, ai);
  if (k !== n) throw new SnapshotDeltaError('delta does not fit its base');
  return { v6First: first, v6Last: last };
}
