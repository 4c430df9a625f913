// A group's IPv6 set content brought up to date from the change of its IPv6 ranges (the IPv4
// side is groupContent.ts, which says why): content(next) = content(prev) − cut(ranges that
// left) + cut(ranges that came) while the masked lengths stay the same, and what left and came
// of each IPv6 hash set is known for the sync planner (nftSync.ts) instead of diffing the sets
// again. Pure, on words (4 an address, net/ip6Numbers.ts).
import { cmpV6, copyV6 } from '../net/ip6Numbers.js';
import { patchMasked, patchRare, type KeyPatch, type SetDiff } from './contentPatch.js';
import type { V6Ranges } from './packedV6.js';
import { sameWords } from './packed.js';
import { maskedLengths } from './prefixSets.js';
import { countV6, splitV6, type V6Content } from './prefixSetsV6.js';
import { diffV6Ranges } from './snapshotDeltaV6.js';

/** What left (`del`) and came (`add`) of one IPv6 hash set, ascending; no address in both. */
export type V6Diff = SetDiff<Uint32Array>;

/** What a patched IPv6 content changed: the singles and each masked length (index as in both
 *  contents' v6Masked). */
export interface V6Change { singles: V6Diff; masked: V6Diff[] }

/** Index (in words) of the first address of xs[lo..] (words) not below v[vi..]. */
function lowerBound(xs: Uint32Array, lo: number, v: Uint32Array, vi: number): number {
  let a = lo >>> 2;
  let b = xs.length >>> 2;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (cmpV6(xs, 4 * mid, v, vi) < 0) a = mid + 1;
    else b = mid;
  }
  return 4 * a;
}

/** `prev` without `del` and with `add` (ascending, duplicate-free address lists); null when a
 *  deleted address is missing or an added one already there. An address in both stays (a
 *  prefix that left with one range and came back with another). Runs between changes are
 *  copied whole (groupContent.ts patchSorted is the IPv4 twin). */
export function patchSortedV6(prev: Uint32Array, del: Uint32Array, add: Uint32Array): Uint32Array | null {
  const n = prev.length - del.length + add.length;
  if (n < 0) return null;
  const out = new Uint32Array(n);
  let i = 0;
  let o = 0;
  let di = 0;
  let ai = 0;
  while (di < del.length || ai < add.length) {
    const c = di >= del.length ? 1 : ai >= add.length ? -1 : cmpV6(del, di, add, ai);
    const [v, vi] = c <= 0 ? [del, di] : [add, ai];
    const lo = lowerBound(prev, i, v, vi);
    if (o + lo - i > n) return null;
    out.set(prev.subarray(i, lo), o);
    o += lo - i;
    i = lo;
    const here = i < prev.length && cmpV6(prev, i, v, vi) === 0;
    if (c === 0 || c < 0) {
      if (!here) return null;
      i += 4;
      di += 4;
      if (c === 0) {
        if (o >= n) return null;
        copyV6(v, vi, out, o);
        o += 4;
        ai += 4;
      }
    } else {
      if (here || o >= n) return null;
      copyV6(v, vi, out, o);
      o += 4;
      ai += 4;
    }
  }
  if (o + prev.length - i !== n) return null;
  out.set(prev.subarray(i), o);
  return out;
}

/** `del` and `add` without the addresses in both. */
export function exactChangeV6(del: Uint32Array, add: Uint32Array): V6Diff {
  const od: number[] = [];
  const oa: number[] = [];
  let common = 0;
  for (let i = 0, j = 0; i < del.length || j < add.length;) {
    const c = i >= del.length ? 1 : j >= add.length ? -1 : cmpV6(del, i, add, j);
    if (c === 0) { common++; i += 4; j += 4; continue; }
    const [xs, at, out] = c < 0 ? [del, i, od] : [add, j, oa];
    for (let k = 0; k < 4; k++) out.push(xs[at + k] ?? 0);
    if (c < 0) i += 4;
    else j += 4;
  }
  return common ? { del: Uint32Array.from(od), add: Uint32Array.from(oa) } : { del, add };
}

/** Per-length prefix counts of an IPv6 content (index 0..128). */
function contentCountsV6(c: V6Content): Float64Array {
  const counts = new Float64Array(129);
  counts[128] = c.v6Singles.length >>> 2;
  for (const m of c.v6Masked) counts[m.len] = m.nets.length >>> 2;
  for (const r of c.v6Nets) {
    let len = 128;
    for (let size = r.last - r.first + 1n; size > 1n; size >>= 1n) len--;
    counts[len] = (counts[len] ?? 0) + 1;
  }
  return counts;
}

/** The IPv6 content of `next` from `prev`'s (cut from `prevRanges`) and what changed of each
 *  hash set; null when the masked lengths change or more than `maxShare` of the ranges changed
 *  (the caller cuts `next` whole then). */
export function patchV6Content(prevRanges: V6Ranges, prev: V6Content, next: V6Ranges, maxShare: number): { content: V6Content; change: V6Change } | null {
  // an IPv4 update leaves the IPv6 ranges as they were: the same content, nothing changed (its
  // walk below ran cold at every such update: ~0.4 ms of a 100k feed's 1% update)
  if (sameWords(prevRanges.v6First, next.v6First) && sameWords(prevRanges.v6Last, next.v6Last)) {
    const none = { del: NO_WORDS, add: NO_WORDS };
    return { content: { v6Singles: prev.v6Singles, v6Masked: prev.v6Masked, v6Nets: prev.v6Nets }, change: { singles: none, masked: prev.v6Masked.map(() => none) } };
  }
  const limit = (next.v6First.length >>> 2) * maxShare;
  if (Math.abs(next.v6First.length - prevRanges.v6First.length) / 4 > limit) return null;
  const d = diffV6Ranges(prevRanges, next);
  if ((d.del.v6First.length + d.add.v6First.length) >>> 2 > limit) return null;
  const delCounts = countV6(d.del);
  const addCounts = countV6(d.add);
  const counts = contentCountsV6(prev);
  for (let len = 0; len <= 128; len++) counts[len] = (counts[len] ?? 0) - (delCounts[len] ?? 0) + (addCounts[len] ?? 0);
  const lens = maskedLengths(counts, 128);
  if (lens.join(',') !== prev.v6Masked.map((m) => m.len).join(',')) return null;
  const del = splitV6(d.del, lens);
  const add = splitV6(d.add, lens);
  const v6Singles = patchSortedV6(prev.v6Singles, del.v6Singles, add.v6Singles);
  if (!v6Singles) return null;
  const m = patchMasked(prev.v6Masked, del.v6Masked, add.v6Masked, WORDS_PATCH);
  if (!m) return null;
  const content = { v6Singles, v6Masked: m.masked, v6Nets: patchRare(prev.v6Nets, del.v6Nets, add.v6Nets) };
  return { content, change: { singles: exactChangeV6(del.v6Singles, add.v6Singles), masked: m.change } };
}

const NO_WORDS = new Uint32Array(0);
const WORDS_PATCH: KeyPatch<Uint32Array> = { patch: patchSortedV6, exact: exactChangeV6, empty: NO_WORDS };
