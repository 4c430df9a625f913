// What one group's nft sets hold, in the masked-hash layout (decision and numbers in
// README.md, "Set layout"): merged ranges are cut into prefixes (as iprange does); single
// addresses go into the group's plain hash set; the prefixes of each length that is common
// enough go into a plain hash set of their own, looked up with the length's netmask
// (`ip daddr & 255.255.255.0 @bl_g_v4_p24`); the prefixes of rare lengths go into the
// group's small interval set. Every one of these sets is then updated by difference.
// IPv4 stays on numbers (a Uint32Array per set, sorted), no object per entry; IPv6 too
// (prefixSetsV6.ts, 4 words an address). Pure.
import type { IpRange } from '../net/ip.js';
import { cidrHostBitsV4, countCidrsV4, POW2 } from '../net/cidrNumbers.js';
import type { PackedRanges } from './packed.js';
import { splitV6, type MaskedV6 } from './prefixSetsV6.js';

/** A length gets a masked hash set from this many prefixes; fewer go to the interval set. */
export const MASKED_MIN_PREFIXES = 64;
/** At most this many masked hash sets per family and group (the most populous lengths):
 *  each costs one rule, met by a connection's first packet only (after the fast path). */
export const MASKED_MAX_LENGTHS = 8;

/** Prefixes of one length, by network address, ascending. */
export interface MaskedV4 { len: number; nets: Uint32Array }
export type { MaskedV6 } from './prefixSetsV6.js';

/** What one group's nft sets hold, per family: singles (hash), masked prefixes per length
 *  (hash, longest length first) and prefixes of rare lengths (interval, address order). */
export interface SetContent {
  v4Singles: Uint32Array;
  v4Masked: MaskedV4[];
  v4Nets: IpRange[];
  /** IPv6 as 4 uint32 words an address (net/ip6Numbers.ts), ascending. */
  v6Singles: Uint32Array;
  v6Masked: MaskedV6[];
  v6Nets: IpRange[];
}

/** Empty content. */
export function emptyContent(): SetContent {
  return { v4Singles: new Uint32Array(0), v4Masked: [], v4Nets: [], v6Singles: new Uint32Array(0), v6Masked: [], v6Nets: [] };
}

/** The prefix lengths (below the family's full length) that get a masked hash set, longest
 *  first: at least MASKED_MIN_PREFIXES prefixes, the MASKED_MAX_LENGTHS most populous. */
export function maskedLengths(counts: ArrayLike<number>, bits: number): number[] {
  const lens: number[] = [];
  for (let len = 0; len < bits; len++) if ((counts[len] ?? 0) >= MASKED_MIN_PREFIXES) lens.push(len);
  lens.sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || b - a);
  return lens.slice(0, MASKED_MAX_LENGTHS).sort((a, b) => b - a);
}

/** Ranges a loop below handles per call. As sortU32's passes (net/cidrNumbers.ts): a function
 *  called many times in the full load is compiled whole then and kept for the update; one
 *  called once with a long loop got only code compiled on the stack (OSR), and was compiled
 *  again at the update, on its CPU. */
const CHUNK = 4096;

/** The per-length prefix counts of IPv4 ranges (index 0..32; 32 = single addresses). */
export function countV4(first: Uint32Array, last: Uint32Array, counts = new Float64Array(33)): Float64Array {
  const n = first.length;
  for (let i = 0; i < n; i += CHUNK) countV4Chunk(first, last, i, Math.min(n, i + CHUNK), counts);
  return counts;
}

/** countV4 of ranges from..to, added into `counts`. */
function countV4Chunk(first: Uint32Array, last: Uint32Array, from: number, to: number, counts: Float64Array): void {
  for (let i = from; i < to; i++) {
    const f = first[i] ?? 0;
    const l = last[i] ?? f; // both arrays have the same length: never the fallback
    if (f === l) counts[32] = (counts[32] ?? 0) + 1;
    else countCidrsV4(f, l, counts);
  }
}

/** The IPv4 sets of sorted disjoint ranges, cut with the given masked lengths (`counts`: the
 *  ranges' prefix counts per length, every length, exactly as countV4 gives them: each length's
 *  array is sized by it). Every output list is ascending. Throws nothing. */
export function splitV4(first: Uint32Array, last: Uint32Array, lens: readonly number[], counts: ArrayLike<number>): Pick<SetContent, 'v4Singles' | 'v4Masked' | 'v4Nets'> {
  const n = first.length;
  const out = new V4Split(counts);
  for (let i = 0; i < n; i += CHUNK) splitV4Chunk(first, last, i, Math.min(n, i + CHUNK), out);
  const masked = new Set(lens);
  const v4Nets: IpRange[] = [];
  for (let len = 0; len < 32; len++) {
    if (masked.has(len)) continue;
    for (const net of out.nets[len] ?? []) v4Nets.push({ family: 4, first: BigInt(net), last: BigInt(net + 2 ** (32 - len) - 1) });
  }
  // the rare lengths' prefixes in address order (they are disjoint: no two share a start)
  v4Nets.sort((a, b) => (a.first < b.first ? -1 : 1));
  return { v4Singles: out.nets[32] ?? new Uint32Array(0), v4Masked: lens.map((len) => ({ len, nets: out.nets[len] ?? new Uint32Array(0) })), v4Nets };
}

/** splitV4's prefixes while they are cut: one array per length, sized by `counts`, so that
 *  putting one is the same few instructions whatever its length. A branch the full load never
 *  took (a rare length) would throw the loop's code away at the update; and a class, not a
 *  closure made at each call, so the loop's code meets the same call target in the next refresh. */
class V4Split {
  readonly nets: Uint32Array[];
  readonly fill = new Uint32Array(33);

  constructor(counts: ArrayLike<number>) {
    this.nets = Array.from({ length: 33 }, (_, len) => new Uint32Array(counts[len] ?? 0));
  }

  put(net: number, len: number): void {
    const at = this.fill[len] ?? 0;
    const a = this.nets[len];
    if (a) a[at] = net;
    this.fill[len] = at + 1;
  }
}

/** splitV4 of ranges from..to into `out` (the prefixes as forEachCidrV4 cuts them). */
function splitV4Chunk(first: Uint32Array, last: Uint32Array, from: number, to: number, out: V4Split): void {
  for (let i = from; i < to; i++) {
    const f = first[i] ?? 0;
    const l = last[i] ?? f;
    if (f === l) { out.put(f, 32); continue; } // most ranges: no cut
    for (let cur = f; cur <= l;) {
      const hostBits = cidrHostBitsV4(cur, l);
      out.put(cur, 32 - hostBits);
      cur += POW2[hostBits] ?? 0;
    }
  }
}

/** Cuts minimal ranges into the sets of the masked-hash layout. */
export function splitPacked(p: PackedRanges): SetContent {
  const counts = countV4(p.v4First, p.v4Last);
  return { ...splitV4(p.v4First, p.v4Last, maskedLengths(counts, 32), counts), ...splitV6(p) };
}

/** Prefixes held outside the singles sets (both families): what `status` calls ranges. */
export function prefixCount(c: SetContent): { v4: number; v6: number } {
  return {
    v4: c.v4Nets.length + c.v4Masked.reduce((a, m) => a + m.nets.length, 0),
    v6: c.v6Nets.length + c.v6Masked.reduce((a, m) => a + (m.nets.length >>> 2), 0),
  };
}
