// The threat-intel detector's "is this address listed?" lookup, answered from the blocklist
// feature's in-memory hit index (the same packed ranges the kernel sets were built from) and,
// as a fallback, from the config's local blocklist. When the address was listed is not kept per
// address, so listedAt is 0 (older than any connection): a connection that was answered anyway
// reads as a watch-only feed or a policy gap, never as "listed after it started".
import type { ListedLookup, Listing } from '../detectors/index.js';
import { readAddress } from '../net/ip.js';
import { feedsListing, type HitIndex } from '../blocklist/hitIndex.js';

/** The parts of BlocklistFeature this lookup reads (kept tiny so the two features stay apart). */
export interface BlocklistView {
  hits: HitIndex;
  feeds: ReadonlyArray<{ id: string; category: string; action: 'drop' | 'watch' }>;
}

/** Lookup over the blocklist's hit index (read at call time, so refreshes are seen), then `fallback`. */
export function listedFromBlocklist(view: BlocklistView, fallback?: ListedLookup): ListedLookup {
  return (ip) => {
    if (view.hits.feeds.length > 0) {
      const addr = readAddress(ip); // parseFlow already validated it; an unparsable one is simply not listed
      const ids = addr.ok ? feedsListing(view.hits, addr) : [];
      if (ids.length > 0) {
        // A drop feed wins over a watch feed: it says the policy meant to block it.
        const feeds = view.feeds.filter((f) => ids.includes(f.id));
        const f = feeds.find((x) => x.action === 'drop') ?? feeds[0];
        if (f) return { feedId: f.id, category: f.category, action: f.action === 'drop' ? 'block' : 'watch', listedAt: 0 } satisfies Listing;
      }
    }
    return fallback?.(ip);
  };
}
