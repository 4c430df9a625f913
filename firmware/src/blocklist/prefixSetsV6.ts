// One group's IPv6 sets in the masked-hash layout (prefixSets.ts says why), on numbers:
// merged ranges (packedV6.ts) cut into prefixes (net/ip6Numbers.ts forEachCidrV6), singles
// and the network addresses of each common length as sorted Uint32Arrays of 4 words an
// address; prefixes of rare lengths as the interval set's few ranges. Pure.
import { copyV6, forEachCidrV6, v6BigInt } from '../net/ip6Numbers.js';
import { exactPrefixV6 } from '../net/ip6Text.js';
import type { IpRange } from '../net/ip.js';
import type { V6Ranges } from './packedV6.js';
import { maskedLengths } from './prefixSets.js';

/** Prefixes of one length, by network address (4 words each), ascending. */
export interface MaskedV6 { len: number; nets: Uint32Array }

export interface V6Content { v6Singles: Uint32Array; v6Masked: MaskedV6[]; v6Nets: IpRange[] }

/** Per-length counts of the prefixes the ranges cut into (index 0..128), and each range's
 *  length when it is exactly one prefix (else NOT_ONE). */
function cutCounts(p: V6Ranges): { counts: Float64Array; exact: Uint8Array } {
  const f = p.v6First;
  const l = p.v6Last;
  const counts = new Float64Array(129);
  const count = (_w: Uint32Array, _at: number, len: number): void => { counts[len] = (counts[len] ?? 0) + 1; };
  // most ranges are one prefix (a single address: 128): its length, without cutting
  const exact = new Uint8Array(f.length >>> 2);
  countExact(f, l, exact, counts);
  for (let i = 0; i < f.length; i += 4) if (exact[i >>> 2] === NOT_ONE) forEachCidrV6(f, i, l, i, count);
  return { counts, exact };
}

/** Per-length counts of the prefixes the ranges cut into (index 0..128). */
export function countV6(p: V6Ranges): Float64Array {
  return cutCounts(p).counts;
}

/** Cuts minimal IPv6 ranges into singles, masked prefixes per common length (`lens`, by
 *  default those the ranges' own counts choose) and rare ones. */
export function splitV6(p: V6Ranges, lensGiven?: readonly number[]): V6Content {
  const f = p.v6First;
  const l = p.v6Last;
  const { counts, exact } = cutCounts(p);
  const lens = lensGiven ?? maskedLengths(counts, 128);
  const slot = new Int16Array(129).fill(-1);
  lens.forEach((len, i) => { slot[len] = i; });
  const v6Singles = new Uint32Array(4 * (counts[128] ?? 0));
  const v6Masked: MaskedV6[] = lens.map((len) => ({ len, nets: new Uint32Array(4 * (counts[len] ?? 0)) }));
  const fill = new Uint32Array(lens.length);
  const v6Nets: IpRange[] = [];
  let s = 0;
  const put = (w: Uint32Array, at: number, len: number): void => {
    // four words copied, not a subarray per prefix (an object each: 100k of them)
    if (len === 128) {
      copyV6(w, at, v6Singles, s);
      s += 4;
      return;
    }
    const k = slot[len] ?? -1;
    const m = v6Masked[k];
    if (m) {
      const o = fill[k] ?? 0;
      copyV6(w, at, m.nets, o);
      fill[k] = o + 4;
      return;
    }
    const first = v6BigInt(w, at);
    v6Nets.push({ family: 6, first, last: first + (1n << BigInt(128 - len)) - 1n });
  };
  for (let i = 0; i < f.length; i += 4) {
    const len = exact[i >>> 2] ?? NOT_ONE;
    if (len === NOT_ONE) forEachCidrV6(f, i, l, i, put);
    else put(f, i, len);
  }
  return { v6Singles, v6Masked, v6Nets };
}

/** exact[k] for a range that is not one prefix. */
const NOT_ONE = 255;

/** Each range's prefix length into exact[k] when it is exactly one prefix (counted), else
 *  NOT_ONE (the caller cuts it). A top-level loop: no callback per range. */
function countExact(f: Uint32Array, l: Uint32Array, exact: Uint8Array, counts: Float64Array): void {
  for (let i = 0; i < f.length; i += 4) {
    const len = exactPrefixV6(f, i, l, i);
    exact[i >>> 2] = len < 0 ? NOT_ONE : len;
    if (len >= 0) counts[len] = (counts[len] ?? 0) + 1;
  }
}
