// A group's set content (prefixSets.ts) kept from one refresh to the next and brought up to
// date from the change of the group's ranges, instead of cutting the whole list again: a 1%
// update of a 1M feed changes ~10k ranges, and cutting 1M ranges into prefixes again was most
// of the update's plan step. The content is a pure function of the ranges (each range is cut
// on its own; only the choice of masked lengths looks at the whole), so
//   content(next) = content(prev) − cut(ranges that left) + cut(ranges that came)
// as long as the masked lengths stay the same; otherwise, and for large changes, the whole
// list is cut again. A patch also knows what left and what came of each IPv4 hash set
// (V4Change): the sync planner takes that instead of diffing two 1M arrays (nftSync.ts).
// Pure apart from the memo itself.
import { EMPTY_PACKED, unionPacked, type PackedRanges, type U32Diff } from './packed.js';
import { countV4, maskedLengths, splitPacked, splitV4, type SetContent } from './prefixSets.js';
import { diffV4Ranges, type V4Delta, type V4Ranges } from './snapshotDelta.js';
import { splitV6 } from './prefixSetsV6.js';
import { patchV6Content, type V6Change } from './groupContentV6.js';
import { patchMasked, patchRare, type KeyPatch } from './contentPatch.js';
import { lowerBound } from './gallop.js';

/** Above this share of changed ranges the whole list is cut again (one pass, no merges). */
const PATCH_MAX_SHARE = 0.25;

/** How IPv4 hash sets' sorted values are patched (contentPatch.ts). */
const U32_PATCH: KeyPatch<Uint32Array> = { patch: patchSorted, exact: exactChange, empty: new Uint32Array(0) };

/** `prev` without `del` and with `add` (all ascending, duplicate-free); null when a deleted value
 *  is missing or an added one already there (the caller then cuts the whole list). Runs between
 *  changes are copied whole: a 1% change costs little more than one copy of the array. */
export function patchSorted(prev: Uint32Array, del: Uint32Array, add: Uint32Array): Uint32Array | null {
  const n = prev.length - del.length + add.length;
  if (n < 0) return null;
  const out = new Uint32Array(n);
  let i = 0;
  let o = 0;
  let di = 0;
  let ai = 0;
  while (di < del.length || ai < add.length) {
    const dv = di < del.length ? (del[di] ?? 0) : Infinity;
    const av = ai < add.length ? (add[ai] ?? 0) : Infinity;
    const v = dv < av ? dv : av;
    const lo = lowerBound(prev, v, i); // the first index at or after i holding a value ≥ v
    if (o + lo - i > n) return null;
    out.set(prev.subarray(i, lo), o);
    o += lo - i;
    i = lo;
    const here = i < prev.length && prev[i] === v;
    if (dv === av) {
      // a prefix that left with one range and came back with another: it stays
      if (!here || o >= n) return null;
      out[o++] = v;
      i++;
      di++;
      ai++;
    } else if (dv < av) {
      if (!here) return null;
      i++;
      di++;
    } else {
      if (here || o >= n) return null;
      out[o++] = v;
      ai++;
    }
  }
  if (o + prev.length - i !== n) return null;
  out.set(prev.subarray(i), o);
  return out;
}

/** What a patched content changed against the content it was patched from: exactly what left
 *  (`del`) and what came (`add`) of the IPv4 singles and of each masked length (index as in
 *  both contents' v4Masked: a patch keeps the lengths); no value is in both. */
export interface V4Change {
  from: SetContent;
  to: SetContent;
  singles: U32Diff;
  masked: U32Diff[];
  /** The same for the IPv6 hash sets, when their content was patched too (groupContentV6.ts). */
  v6?: V6Change | null;
}

/** `del` and `add` (ascending) without the values in both: a prefix that left with one range
 *  and came back with another stays in the set. Returns the inputs when nothing is common. */
export function exactChange(del: Uint32Array, add: Uint32Array): U32Diff {
  let common = 0;
  for (let i = 0, j = 0; i < del.length && j < add.length;) {
    const d = del[i] ?? 0;
    const a = add[j] ?? 0;
    if (d < a) i++;
    else if (a < d) j++;
    else { common++; i++; j++; }
  }
  if (!common) return { del, add };
  const od = new Uint32Array(del.length - common);
  const oa = new Uint32Array(add.length - common);
  let nd = 0;
  let na = 0;
  let i = 0;
  let j = 0;
  while (i < del.length || j < add.length) {
    const d = i < del.length ? (del[i] ?? 0) : Infinity;
    const a = j < add.length ? (add[j] ?? 0) : Infinity;
    if (d < a) { od[nd++] = d; i++; }
    else if (a < d) { oa[na++] = a; j++; }
    else { i++; j++; }
  }
  return { del: od, add: oa };
}

/** Per-length prefix counts of a content's IPv4 sets (index 0..32). */
function contentCounts(c: SetContent): Float64Array {
  const counts = new Float64Array(33);
  counts[32] = c.v4Singles.length;
  for (const m of c.v4Masked) counts[m.len] = m.nets.length;
  for (const r of c.v4Nets) {
    const len = 32 - Math.log2(Number(r.last - r.first) + 1);
    counts[len] = (counts[len] ?? 0) + 1;
  }
  return counts;
}

/** The content of `next` from the content of `prev` and the ranges that changed; null when the
 *  masked lengths change or the change is large (cut `next` whole then). Throws nothing. */
export function patchContent(prevRanges: PackedRanges, prev: SetContent, next: PackedRanges): SetContent | null {
  return patchContentChange(prevRanges, prev, next)?.to ?? null;
}

/** patchContent, with what changed in the IPv4 hash sets (null as patchContent). */
export function patchContentChange(prevRanges: PackedRanges, prev: SetContent, next: PackedRanges, diff: (a: V4Ranges, b: V4Ranges) => V4Delta = diffV4Ranges): V4Change | null {
  // at least the difference in length changes: a first load (or a list replaced by a much
  // longer one) is cut whole without walking both lists first
  const limit = next.v4First.length * PATCH_MAX_SHARE;
  if (Math.abs(next.v4First.length - prevRanges.v4First.length) > limit) return null;
  const d = diff(prevRanges, next);
  if (d.del.v4First.length + d.add.v4First.length > limit) return null;
  const delCounts = countV4(d.del.v4First, d.del.v4Last);
  const addCounts = countV4(d.add.v4First, d.add.v4Last);
  const counts = contentCounts(prev);
  for (let len = 0; len <= 32; len++) counts[len] = (counts[len] ?? 0) - (delCounts[len] ?? 0) + (addCounts[len] ?? 0);
  const lens = maskedLengths(counts, 32);
  if (lens.join(',') !== prev.v4Masked.map((m) => m.len).join(',')) return null;
  const del = splitV4(d.del.v4First, d.del.v4Last, lens, delCounts);
  const add = splitV4(d.add.v4First, d.add.v4Last, lens, addCounts);
  const v4Singles = patchSorted(prev.v4Singles, del.v4Singles, add.v4Singles);
  if (!v4Singles) return null;
  const m = patchMasked(prev.v4Masked, del.v4Masked, add.v4Masked, U32_PATCH);
  if (!m) return null;
  // prefixes of rare lengths: few (they are what is left after the masked lengths)
  const v4Nets = patchRare(prev.v4Nets, del.v4Nets, add.v4Nets);
  const v6 = patchV6Content(prevRanges, prev, next, PATCH_MAX_SHARE);
  const to = { v4Singles, v4Masked: m.masked, v4Nets, ...(v6?.content ?? splitV6(next)) };
  return { from: prev, to, singles: exactChange(del.v4Singles, add.v4Singles), masked: m.change, v6: v6?.change ?? null };
}

interface Memo { inputs: readonly PackedRanges[]; ranges: PackedRanges; content: SetContent; change: V4Change | null }

/** Each group's content, remembered with the feed ranges it was made from. */
export class GroupContents {
  private readonly memo = new Map<string, Memo>();

  /** `diff`: how two range lists differ (a V4Diffs shared with the snapshot store, which needs
   *  the same change). */
  constructor(private readonly diff: (a: V4Ranges, b: V4Ranges) => V4Delta = diffV4Ranges) {}

  /** The content of group `id` whose feeds hold `lists` (the same list objects as last time:
   *  the same content, at no cost; changed ones: patched from the last content when small). */
  content(id: string, lists: readonly PackedRanges[]): SetContent {
    const m = this.memo.get(id);
    if (m && m.inputs.length === lists.length && m.inputs.every((x, i) => x === lists[i])) return m.content;
    const ranges = lists.length ? unionPacked(lists) : EMPTY_PACKED;
    const change = m ? patchContentChange(m.ranges, m.content, ranges, this.diff) : null;
    const content = change?.to ?? splitPacked(ranges);
    this.memo.set(id, { inputs: [...lists], ranges, content, change });
    return content;
  }

  /** How group `id`'s current content was patched from the one before it (null: cut whole). */
  change(id: string): V4Change | null {
    return this.memo.get(id)?.change ?? null;
  }
}
