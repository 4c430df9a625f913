// The guard (guard.ts) for IPv6 entries held as words (net/ip6Numbers.ts): too broad, wholly
// protected (rejected under the reason of the block at its start) or overlapping protected
// space (carved: the protected parts cut out, the rest kept), with the same counts and samples
// as guardEntry, on numbers: no bigint or object for an entry that passes. Pure.
import { cmpV6, copyV6, putV6BigInt, rangeToV6Words, stepV6 } from '../net/ip6Numbers.js';
import { v6RangeText } from '../net/ip6Text.js';
import type { Guard, GuardReason, GuardResult, RuntimeReason, Segment, SpecialReason } from './guard.js';

/** The guard's IPv6 protected segments as words (4 an address), sorted and disjoint. */
export interface V6Segments {
  first: Uint32Array;
  last: Uint32Array;
  reasons: Array<SpecialReason | RuntimeReason>;
  /** An entry may span at most 2^maxHostBits addresses (the family's minPrefix). */
  maxHostBits: number;
}

/** The numeric form of the guard's IPv6 segments (built once per configuration). */
export function v6Segments(segs: readonly Segment[], minPrefix: number): V6Segments {
  const first = new Uint32Array(4 * segs.length);
  const last = new Uint32Array(4 * segs.length);
  segs.forEach((s, i) => {
    putV6BigInt(s.first, first, 4 * i);
    putV6BigInt(s.last, last, 4 * i);
  });
  return { first, last, reasons: segs.map((s) => s.reason), maxHostBits: 128 - minPrefix };
}

const DIFF = new Uint32Array(4);

/** True when last − first + 1 > 2^hostBits (w: first at at..at+3, last at at+4..at+7). */
function tooBroad(w: Uint32Array, hostBits: number, at = 0): boolean {
  let borrow = 0;
  for (let k = 3; k >= 0; k--) {
    const d = (w[at + 4 + k] ?? 0) - (w[at + k] ?? 0) - borrow;
    DIFF[k] = d >>> 0;
    borrow = d < 0 ? 1 : 0;
  }
  // last − first < 2^hostBits: no bit at or above hostBits
  for (let k = 0; k < 4; k++) {
    const low = 32 * (3 - k); // the word's lowest bit position
    if (hostBits >= low + 32) continue;
    const keep = hostBits <= low ? 0 : 0xffffffff >>> (32 - (hostBits - low));
    if (((DIFF[k] ?? 0) & ~keep) !== 0) return true;
  }
  return false;
}

/** Index of the first segment whose last address is ≥ the address at w[wi..]. */
function firstEndingAtOrAfter(s: V6Segments, w: Uint32Array, wi: number): number {
  let lo = 0;
  let hi = s.reasons.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmpV6(s.last, 4 * mid, w, wi) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Guards one IPv6 entry (w: first at 0..3, last at 4..7): what survives goes to `keep` as
 * words (w itself when untouched; a carved piece in a scratch array valid during the call),
 * counts and samples into `res`, as guardEntry would. The bigint guard is the fallback when the
 * guard has no numeric segments.
 */
export function guardV6(w: Uint32Array, guard: Guard, res: GuardResult, keep: (w: Uint32Array) => void): void {
  const s = guard.v6;
  if (!s) throw new TypeError('guard built without IPv6 segments (use buildGuard)');
  const sample = (x: Uint32Array, reason: GuardReason, carved: boolean): void => {
    if (res.samples.length < guard.maxSamples) res.samples.push({ entry: v6RangeText(x, 0, x, 4), reason, carved });
  };
  if (tooBroad(w, s.maxHostBits)) {
    res.rejected.too_broad = (res.rejected.too_broad ?? 0) + 1;
    res.rejectedTotal++;
    sample(w, 'too_broad', false);
    return;
  }
  let i = firstEndingAtOrAfter(s, w, 0);
  const n = s.reasons.length;
  if (i >= n || cmpV6(s.first, 4 * i, w, 4) > 0) {
    keep(w);
    return;
  }
  // the rare path (an entry touching protected space): pieces in a small list, then judged
  const firstReason = s.reasons[i] ?? 'reserved';
  const kept: Uint32Array[] = [];
  const reasons = new Set<GuardReason>();
  const cur = new Uint32Array(8);
  copyV6(w, 0, cur, 0);
  let more = true; // false once cur passed the end of the address space
  for (; i < n && cmpV6(s.first, 4 * i, w, 4) <= 0; i++) {
    if (more && cmpV6(s.first, 4 * i, cur, 0) > 0) {
      const piece = new Uint32Array(8);
      copyV6(cur, 0, piece, 0);
      copyV6(s.first, 4 * i, piece, 4);
      stepV6(piece, 4, -1);
      kept.push(piece);
    }
    reasons.add(s.reasons[i] ?? 'reserved');
    copyV6(s.last, 4 * i, cur, 0);
    more = stepV6(cur, 0, 1);
    if (cmpV6(s.last, 4 * i, w, 4) >= 0) break;
  }
  if (more && cmpV6(cur, 0, w, 4) <= 0) {
    const piece = new Uint32Array(8);
    copyV6(cur, 0, piece, 0);
    copyV6(w, 4, piece, 4);
    kept.push(piece);
  }
  if (kept.length === 0) {
    res.rejected[firstReason] = (res.rejected[firstReason] ?? 0) + 1;
    res.rejectedTotal++;
    sample(w, firstReason, false);
    return;
  }
  for (const r of reasons) res.carved[r] = (res.carved[r] ?? 0) + 1;
  res.carvedTotal++;
  sample(w, [...reasons][0] ?? firstReason, true);
  for (const k of kept) keep(k);
}

/** guardV6 over a batch (parse.ts onV6Batch: entry k's words at words[8k..8k+7]), in place, as
 *  guardV4Batch: the entries clear of every protected segment and not too broad are moved to
 *  the front, in order, and their count returned; any other takes guardV6 (same counts, samples
 *  and carving) and what survives of it goes to `keep`. No callback on the common path. */
export function guardV6Batch(words: Uint32Array, n: number, guard: Guard, res: GuardResult, keep: (w: Uint32Array) => void): number {
  const s = guard.v6;
  if (!s) throw new TypeError('guard built without IPv6 segments (use buildGuard)');
  const segments = s.reasons.length;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const at = 8 * k;
    if (!tooBroad(words, s.maxHostBits, at)) {
      const i = firstEndingAtOrAfter(s, words, at);
      if (i >= segments || cmpV6(s.first, 4 * i, words, at + 4) > 0) {
        if (m !== k) words.copyWithin(8 * m, at, at + 8);
        m++;
        continue;
      }
    }
    guardV6(words.slice(at, at + 8), guard, res, keep); // the rare path
  }
  return m;
}

/** guardV6 for an entry the full parser read (bigints: ranges and rare lines). */
export function guardV6Range(first: bigint, last: bigint, guard: Guard, res: GuardResult, keep: (w: Uint32Array) => void): void {
  const w = new Uint32Array(8);
  rangeToV6Words({ family: 6, first, last }, w);
  guardV6(w, guard, res, keep);
}
