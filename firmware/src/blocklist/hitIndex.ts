// Which feeds list an address? nft sets merge all feeds of one direction/action, so a
// logged drop or watch hit does not say which feed (and so which category) it came from.
// This index answers that in userspace by binary search over each feed's merged ranges.
// IPv4 is kept in Float64Arrays (16 bytes a range, ~16 MB for a 1M-entry feed) instead of
// bigint objects (~70 MB).
import type { Address, IpRange } from '../net/ip.js';
import { findRange, mergeRanges, type MergedRanges } from '../net/rangeMerge.js';

interface FeedRanges {
  feedId: string;
  v4First: Float64Array;
  v4Last: Float64Array;
  v6: MergedRanges;
}

export interface HitIndex {
  feeds: FeedRanges[];
}

/** Build from each feed's guarded entries (in catalog order; lookups keep that order). */
export function buildHitIndex(feeds: ReadonlyArray<{ feedId: string; entries: readonly IpRange[] }>): HitIndex {
  return {
    feeds: feeds.map(({ feedId, entries }) => {
      const m = mergeRanges([entries]);
      return {
        feedId,
        v4First: Float64Array.from(m[4], (r) => Number(r.first)),
        v4Last: Float64Array.from(m[4], (r) => Number(r.last)),
        v6: m[6],
      };
    }),
  };
}

function hasV4(first: Float64Array, last: Float64Array, v: number): boolean {
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
    const hit = addr.family === 4 ? hasV4(f.v4First, f.v4Last, v) : findRange(f.v6, addr.value) !== -1;
    if (hit) out.push(f.feedId);
  }
  return out;
}
