// A feed snapshot's change against the base written before it (lastGood.ts): a refresh that
// changed 1% of a 1M list writes the ranges that left and came (~100 KB) instead of the whole
// list again (11 MB and its fsync: 0.1–0.2 s of a 0.5 s update here). Ranges are compared
// whole: a range of the base is kept only when the same first and last are in the new list.
// Pure, on numbers (IPv4 ranges as sorted first/last arrays).

/** Sorted, disjoint IPv4 ranges as first/last arrays (PackedRanges' IPv4 part). */
export interface V4Ranges { v4First: Uint32Array; v4Last: Uint32Array }

/** What changed from a base list to a new one: ranges deleted and added, each in order. */
export interface V4Delta { del: V4Ranges; add: V4Ranges }

export class SnapshotDeltaError extends Error {
  override name = 'SnapshotDeltaError';
}

/** The ranges of `base` that are not in `next` (del) and of `next` not in `base` (add). */
export function diffV4Ranges(base: V4Ranges, next: V4Ranges): V4Delta {
  const bf = base.v4First;
  const bl = base.v4Last;
  const nf = next.v4First;
  const nl = next.v4Last;
  const delF: number[] = [];
  const delL: number[] = [];
  const addF: number[] = [];
  const addL: number[] = [];
  const nb = bf.length;
  const nn = nf.length;
  let i = 0;
  let j = 0;
  for (;;) {
    // the common case, most ranges unchanged: a tight loop over equal pairs
    while (i < nb && j < nn && bf[i] === nf[j] && bl[i] === nl[j]) { i++; j++; }
    if (i >= nb && j >= nn) break;
    const b = bf[i] ?? 0;
    const n = nf[j] ?? 0;
    if (j >= nn || (i < nb && b <= n)) { delF.push(b); delL.push(bl[i] ?? 0); i++; }
    else { addF.push(n); addL.push(nl[j] ?? 0); j++; }
  }
  return { del: { v4First: Uint32Array.from(delF), v4Last: Uint32Array.from(delL) }, add: { v4First: Uint32Array.from(addF), v4Last: Uint32Array.from(addL) } };
}

/** The ranges diffs of one refresh, remembered by the identity of the two lists (the last few):
 *  the group content's patch (groupContent.ts) and the snapshot's delta (lastGood.ts) both need
 *  the change of a feed's ranges, and after a full load both diff the same two lists; walking
 *  100k ranges twice cost 16–20 ms of a 0.09 s update at 100k (the walk runs cold, once per
 *  refresh). The lists are never changed in place (packed.ts), so identity is enough. */
export class V4Diffs {
  private readonly last: Array<{ base: V4Ranges; next: V4Ranges; delta: V4Delta }> = [];
  constructor(private readonly keep = 2) {}

  /** diffV4Ranges(base, next), computed once per pair of lists (the same arrays). */
  diff(base: V4Ranges, next: V4Ranges): V4Delta {
    const hit = this.last.find((e) => same(e.base, base) && same(e.next, next));
    if (hit) return hit.delta;
    const delta = diffV4Ranges(base, next);
    this.remember(base, next, delta);
    return delta;
  }

  /** Takes `delta` as diffV4Ranges(base, next), known another way (a feed's ranges patched
   *  with the lines that changed: packedPatch.ts patchUnion, property-tested against it). */
  remember(base: V4Ranges, next: V4Ranges, delta: V4Delta): void {
    this.last.push({ base, next, delta });
    if (this.last.length > this.keep) this.last.shift();
  }
}

/** The same list: the same arrays (a list copied into a new object with `...` keeps them). */
function same(a: V4Ranges, b: V4Ranges): boolean {
  return a.v4First === b.v4First && a.v4Last === b.v4Last;
}

/** `base` without `d.del` and with `d.add`, in order. Throws SnapshotDeltaError when a deleted
 *  range is not in the base, or the result is not sorted, disjoint and non-adjacent (a delta
 *  that does not belong to this base). */
export function applyV4Delta(base: V4Ranges, d: V4Delta): V4Ranges {
  const n = base.v4First.length - d.del.v4First.length + d.add.v4First.length;
  if (n < 0) throw new SnapshotDeltaError('delta deletes more ranges than its base holds');
  const first = new Uint32Array(n);
  const last = new Uint32Array(n);
  let k = 0;
  let di = 0;
  let ai = 0;
  const put = (f: number, l: number): void => {
    if (l < f || (k > 0 && f <= (last[k - 1] ?? 0) + 1) || k >= n) throw new SnapshotDeltaError(`delta range ${f}-${l} does not fit its base`);
    first[k] = f;
    last[k++] = l;
  };
  const addsBefore = (f: number): void => {
    while (ai < d.add.v4First.length && (d.add.v4First[ai] ?? 0) < f) {
      put(d.add.v4First[ai] ?? 0, d.add.v4Last[ai] ?? 0);
      ai++;
    }
  };
  for (let i = 0; i < base.v4First.length; i++) {
    const f = base.v4First[i] ?? 0;
    const l = base.v4Last[i] ?? 0;
    if (di < d.del.v4First.length && d.del.v4First[di] === f) {
      if (d.del.v4Last[di] !== l) throw new SnapshotDeltaError(`deleted range ${f} does not match its base`);
      di++;
      continue;
    }
    addsBefore(f);
    put(f, l);
  }
  if (di !== d.del.v4First.length) throw new SnapshotDeltaError('delta deletes a range its base does not hold');
  addsBefore(Infinity);
  if (k !== n) throw new SnapshotDeltaError('delta does not fit its base');
  return { v4First: first, v4Last: last };
}
