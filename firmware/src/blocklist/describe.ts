// Which feed (and so which category) a logged blocklist hit belongs to. nft sets merge all
// feeds of a group, so the log prefix names only the group; the hit index answers which
// feed lists the remote address. Pure.
import type { GroupInfo } from '../alerts/fromPacket.js';
import { readAddress } from '../net/ip.js';
import type { ResolvedFeed } from '../config/feedCatalog.js';
import { feedsListing, type HitIndex } from './hitIndex.js';
import type { GroupLayout } from './layout.js';
import { MANUAL_GROUP } from './manual.js';

/** Category and name for a hit on `group` from/to `remoteIp`; undefined for groups not ours. */
export function describeHit(feeds: readonly ResolvedFeed[], layout: readonly GroupLayout[], hits: HitIndex, group: string, remoteIp: string): GroupInfo | undefined {
  if (group === MANUAL_GROUP) return { name: 'manual' };
  const g = layout.find((x) => x.id === group);
  if (!g) return undefined;
  const addr = readAddress(remoteIp);
  if (!addr.ok) return { name: group }; // a log line without a valid address: name the group only
  const ids = feedsListing(hits, addr);
  // prefer a feed of this group (the one whose rule fired), in catalog order
  const feed = feeds.find((f) => ids.includes(f.id) && g.feedIds.includes(f.id)) ?? feeds.find((f) => ids.includes(f.id));
  return feed ? { category: feed.category, name: feed.name.ja } : { name: group };
}
