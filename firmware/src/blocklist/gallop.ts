// Searching ascending typed arrays for a refresh's changes (packedPatch.ts, groupContent.ts):
// the changes come in address order, each a little after the one before, so each search starts
// where the last one ended and steps out 1, 2, 4, … before a binary search within the last
// step: ~2·log2(distance) reads instead of log2(length). A 1% update runs ~10,000 of these
// cold (once per refresh, no optimised code): 3.4–4.2 ms of a 100k update's read when each
// searched to the end of its array, 2026-12-05. Every array searched holds IPv4 addresses in a
// Uint32Array (the patch's other entries were Float64Arrays until 2026-12-06): V8 then compiles
// one form of this search; with both kinds it compiled it during the update for the first kind
// and dropped that code at the first array of the other ("wrong map"), then compiled it again.

/** Index of the first value of `xs` (ascending) not below `v`, at or after `lo`. */
export function lowerBound(xs: Uint32Array, v: number, lo: number): number {
  const n = xs.length;
  let hi = lo;
  for (let step = 1; hi < n && (xs[hi] ?? 0) < v; step *= 2) {
    lo = hi + 1;
    hi += step;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] ?? 0) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
