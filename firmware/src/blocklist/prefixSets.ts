// What one group's nft sets hold, in the masked-hash layout (decision and numbers in
// README.md, "Set layout"): merged ranges are cut into prefixes (as iprange does); single
// addresses go into the group's plain hash set; the prefixes of each length that is common
// enough go into a plain hash set of their own, looked up with the length's netmask
// (`ip daddr & 255.255.255.0 @bl_g_v4_p24`); the prefixes of rare lengths go into the
// group's small interval set. Every one of these sets is then updated by difference.
// IPv4 stays on numbers (a Uint32Array per set, sorted), no object per entry; IPv6 too
// (prefixSetsV6.ts, 4 words an address). Pure.
import type { IpRange } from '../net/ip.js';
import { countCidrsV4, forEachCidrV4 } from '../net/cidrNumbers.js';
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

/** The per-length prefix counts of IPv4 ranges (index 0..32; 32 = single addresses). */
export function countV4(first: Float64Array, last: Float64Array, counts = new Float64Array(33)): Float64Array {
  for (let i = 0; i < first.length; i++) {
    const f = first[i] ?? 0;
    const l = last[i] ?? f; // both arrays have the same length: never the fallback
    if (f === l) counts[32] = (counts[32] ?? 0) + 1;
    else countCidrsV4(f, l, counts);
  }
  return counts;
}

/** The IPv4 sets of sorted disjoint ranges, cut with the given masked lengths (`counts`: their
 *  prefix counts per length, as countV4 gives them). Every output list is ascending. */
export function splitV4(first: Float64Array, last: Float64Array, lens: readonly number[], counts: ArrayLike<number>): Pick<SetContent, 'v4Singles' | 'v4Masked' | 'v4Nets'> {
  const n = first.length;
  const slot = new Int8Array(33).fill(-1);
  lens.forEach((len, i) => { slot[len] = i; });
  const v4Singles = new Uint32Array(counts[32] ?? 0);
  const v4Masked: MaskedV4[] = lens.map((len) => ({ len, nets: new Uint32Array(counts[len] ?? 0) }));
  const fill = new Uint32Array(lens.length);
  const v4Nets: IpRange[] = [];
  let s = 0;
  const put = (net: number, len: number): void => {
    if (len === 32) { v4Singles[s++] = net; return; }
    const k = slot[len] ?? -1;
    const m = v4Masked[k];
    if (m) {
      const at = fill[k] ?? 0;
      m.nets[at] = net;
      fill[k] = at + 1;
    }
    else v4Nets.push({ family: 4, first: BigInt(net), last: BigInt(net + 2 ** (32 - len) - 1) });
  };
  for (let i = 0; i < n; i++) {
    const f = first[i] ?? 0;
    const l = last[i] ?? f;
    if (f === l) put(f, 32);
    else forEachCidrV4(f, l, put);
  }
  return { v4Singles, v4Masked, v4Nets };
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
