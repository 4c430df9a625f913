// Which feeds list an address? nft sets merge all feeds of one direction/action, so a
// logged drop or watch hit does not say which feed (and so which category) it came from.
// This index answers that in userspace by binary search over each feed's merged ranges.
// IPv4 is kept in Uint32Arrays (8 bytes a range, ~8 MB for a 1M-entry feed) instead of
// bigint objects (~70 MB); IPv6 in Uint32Arrays of 4 words an address (packedV6.ts).
import type { Address, IpRange } from '../net/ip.js';
import { packRanges, type PackedRanges } from './packed.js';
import { v6Has, type V6Ranges } from './packedV6.js';

interface FeedRanges extends V6Ranges {
  feedId: string;
  v4First: Uint32Array;
  v4Last: Uint32Array;
}

export interface HitIndex {
  feeds: FeedRanges[];
}

/** The index of the feeds that have merged ranges (`ranges` by feed id), in catalog order. */
export function hitIndexOf(feeds: ReadonlyArray<{ id: string }>, ranges: ReadonlyMap<string, PackedRanges>): HitIndex {
  return { feeds: feeds.flatMap((f) => {
    const r = ranges.get(f.id);
    return r ? [{ feedId: f.id, v4First: r.v4First, v4Last: r.v4Last, v6First: r.v6First, v6Last: r.v6Last }] : [];
  }) };
}

/** Build from each feed's guarded entries (in catalog order; lookups keep that order). */
export function buildHitIndex(feeds: ReadonlyArray<{ feedId: string; entries: readonly IpRange[] }>): HitIndex {
  return {
    feeds: feeds.map(({ feedId, entries }) => {
      const p = packRanges(entries);
      return { feedId, v4First: p.v4First, v4Last: p.v4Last, v6First: p.v6First, v6Last: p.v6Last };
    }),
  };
}

function hasV4(first: Uint32Array, last: Uint32Array, v: number): boolean {
  let lo = 0;
  let hi = first.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (v < (first[mid] ?? -Infinity)) hi = mid - 1;
    else if (v > (last[mid] ?? Infinity)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Ids of the feeds that list `addr`, in index order (empty if none). */
export function feedsListing(index: HitIndex, addr: Address): string[] {
  const out: string[] = [];
  const v = Number(addr.value);
  for (const f of index.feeds) {
    const hit = addr.family === 4 ? hasV4(f.v4First, f.v4Last, v) : v6Has(f, addr.value);
    if (hit) out.push(f.feedId);
  }
  return out;
}
