// Set layout of the feed blocklists (decision and numbers in README.md, "Set
// layout"). Feeds are grouped by what a hit does, not by feed: one group per
// (direction × action) in use, so at most six groups (24 sets) whatever the number of
// feeds, and a group's sets keep their names from one refresh to the next (incremental
// updates need stable names). Which feed listed an address is answered in userspace by the
// hit index (hitIndex.ts), not by more sets. Pure.
import type { BlocklistGroup, FamilyElems, ListAction, ListDirection, SetGeneration } from '../nft/policy.js';
import { genOf } from './stagedLoad.js';
import { rangeElem } from '../policy/elements.js';
import type { ResolvedFeed } from '../config/feedCatalog.js';
import { v4Text, type SetContent } from './packed.js';
import { v6Texts } from '../net/ip6Text.js';

export interface GroupLayout {
  /** Set/log id, e.g. `fbothdrop`, `foutwatch` ([a-z0-9]{1,16}). */
  id: string;
  direction: ListDirection;
  action: ListAction;
  /** Enabled feeds in this group, catalog order. */
  feedIds: string[];
}

const DIR_WORD: Record<ListDirection, string> = { both: 'both', outbound: 'out', inbound: 'in' };

/** Group id of a (direction, action) pair. */
export function feedGroupId(direction: ListDirection, action: ListAction): string {
  return `f${DIR_WORD[direction]}${action}`;
}

/** Groups of the enabled feeds, in a stable order (both, out, in × drop, watch). */
export function layoutGroups(feeds: readonly Pick<ResolvedFeed, 'id' | 'enabled' | 'direction' | 'action'>[]): GroupLayout[] {
  const out: GroupLayout[] = [];
  for (const direction of ['both', 'outbound', 'inbound'] as const) {
    for (const action of ['drop', 'watch'] as const) {
      const feedIds = feeds.filter((f) => f.enabled && f.direction === direction && f.action === action).map((f) => f.id);
      if (feedIds.length) out.push({ id: feedGroupId(direction, action), direction, action, feedIds });
    }
  }
  return out;
}

/** Renderer elements of one group's content (strings for singles and masked network
 *  addresses, prefixes for the interval set). */
export function groupElems(c: SetContent): { v4: FamilyElems; v6: FamilyElems } {
  const texts = (xs: Uint32Array): string[] => {
    const out = new Array<string>(xs.length);
    let i = 0;
    for (const v of xs) out[i++] = v4Text(v);
    return out;
  };
  return {
    v4: { single: texts(c.v4Singles), masked: c.v4Masked.map((m) => ({ len: m.len, elems: texts(m.nets) })), net: c.v4Nets.map(rangeElem) },
    v6: { single: v6Texts(c.v6Singles), masked: c.v6Masked.map((m) => ({ len: m.len, elems: v6Texts(m.nets) })), net: c.v6Nets.map(rangeElem) },
  };
}

/** The renderer's group for a layout and its current content. */
export function toBlocklistGroup(g: GroupLayout, c: SetContent, gens?: ReadonlyMap<string, SetGeneration>): BlocklistGroup {
  const e = groupElems(c);
  const gen = (fam: 4 | 6): { gen?: SetGeneration } => (genOf(gens, g.id, fam) ? { gen: 1 } : {}); // the usual names: no field
  return { id: g.id, direction: g.direction, action: g.action, v4: { ...e.v4, ...gen(4) }, v6: { ...e.v6, ...gen(6) } };
}

export { emptyContent } from './prefixSets.js';
