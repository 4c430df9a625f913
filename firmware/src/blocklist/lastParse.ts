// "Parse only what changed" (issue 14): a feed's last download and its evaluated entries, kept
// between refreshes, so that the next download reads only its new lines and takes away the
// entries of the lines that went (bodyDelta.ts), patching the sorted entries instead of
// sorting them all again: IPv4's merged ranges are patched around each change too
// (packedPatch.ts), IPv6's (few in practice) merged again from the patched entries. The result
// is the one a full read gives (property test against it, test/unit/blocklist/lastParse.test.ts);
// whenever that could not hold (a rejected or carved line, another guard or format, too much
// changed) the caller reads the whole body. Pure: the caller keeps the LastParse.
import type { Feed } from '../config/feedCatalog.js';
import { bodyDelta, type BodyWalk } from './bodyDelta.js';
import { evaluateFeed, type FeedStats } from './evaluate.js';
import { judgeFeedUpdate, type FeedHealth } from './feedHealth.js';
import type { Guard } from './guard.js';
import { RangePacker, type PackedRanges, type V4Parts } from './packed.js';
import { patchParts, patchUnion } from './packedPatch.js';
import { patchV6Parts, v6PartsRanges } from './packedV6.js';
import type { V4Delta } from './snapshotDelta.js';

export type ReuseRules = Pick<Feed, 'id' | 'format' | 'csv' | 'allowHostBits' | 'minEntries' | 'maxShrinkRatio' | 'maxRejectRatio' | 'sha256' | 'urls'>;

/** What one evaluation of a body gave, for the next refresh of the same feed. */
export interface LastParse {
  body: Buffer;
  /** Format options and guard it was read with (reuseKey). */
  key: string;
  parts: V4Parts;
  /** unionParts(parts): the IPv4 ranges it gave. */
  ranges: Pick<PackedRanges, 'v4First' | 'v4Last'>;
  /** Its IPv6 entries, sorted, duplicates kept (V6Collector.parts). */
  v6Parts: Uint32Array;
  stats: FeedStats;
  /** The body's SHA-256, once taken (refresh.ts: the outcome's digest). */
  sha256?: string | undefined;
}

/** The slot a caller keeps per feed between refreshes (refresh.ts fills it). */
export class ParseReuse {
  last: LastParse | null = null;
}

/** Whether a feed's bodies can be read in parts: one URL (IPv4 or IPv6), no pinned digest, and
 *  a format whose lines are each read on their own (no header, no metadata record). */
export function reusableFeed(feed: ReuseRules): boolean {
  return (feed.urls.v4 === undefined) !== (feed.urls.v6 === undefined) && feed.sha256 === undefined
    && (feed.format === 'plain' || feed.format === 'spamhaus-drop' || feed.format === 'range');
}

/** What the reading of a line depends on besides its bytes: the format options and the guard. */
export function reuseKey(feed: ReuseRules, guard: Guard): string {
  let g = guardKeys.get(guard);
  if (g === undefined) {
    const segs = (f: 4 | 6): string => guard.segments[f].map((s) => `${s.first}-${s.last}:${s.reason}`).join(',');
    g = `${guard.maxSize[4]}|${guard.maxSize[6]}|${segs(4)}|${segs(6)}`;
    guardKeys.set(guard, g);
  }
  return `${feed.format}|${feed.allowHostBits}|${g}`;
}

/** A guard's part of reuseKey, once per guard (a guard is not changed once built; GuardCache
 *  gives a refresh the last one's when nothing it protects changed). */
const guardKeys = new WeakMap<Guard, string>();

/** Whether an evaluation can be patched later: no line rejected or carved (their samples keep
 *  line numbers and the first few), no declared count. */
export function clean(s: FeedStats): boolean {
  return s.parseRejectedTotal === 0 && s.guardRejectedTotal === 0 && Object.keys(s.carved).length === 0
    && s.declaredRecords === undefined;
}

/** Entries of some lines, IPv4 and IPv6. */
interface LineParts { parts: V4Parts; v6Parts: Uint32Array }

/** Parse and guard whole lines alone; null unless clean. */
function evaluateLines(feed: ReuseRules, body: Buffer, guard: Guard): { stats: FeedStats } & LineParts | null {
  const packer = new RangePacker();
  // the lines are read whatever the URL's family (evaluateFeed reads both bodies alike)
  const o = evaluateFeed(feed, { v4: { text: body } }, guard, null, (r) => packer.add(r), packer, packer);
  return clean(o.stats) ? { stats: o.stats, parts: packer.parts(), v6Parts: packer.v6Parts() } : null;
}

/** The evaluation of `next` from `last` and the lines that changed: the stats and health
 *  evaluateFeed would give for the whole body, and the entries of the lines that went
 *  (`dropped`) and came (`fresh`) for patchLast; null when it cannot be had that way. `walk`:
 *  the walk of `next` against last's body begun while it arrived (else walked here). */
export function evaluateChanged(
  feed: ReuseRules, last: LastParse, next: Buffer, guard: Guard, key: string, lastGoodCount: number | null, walk?: BodyWalk,
): { health: FeedHealth; stats: FeedStats; dropped: LineParts; fresh: LineParts } | null {
  if (last.key !== key) return null;
  const d = walk ? walk.finish(next) : bodyDelta(last.body, next);
  if (!d) return null;
  const fresh = evaluateLines(feed, d.fresh, guard);
  const dropped = fresh && evaluateLines(feed, d.dropped, guard);
  if (!fresh || !dropped) return null;
  const sum = (k: 'dataLines' | 'parseAccepted' | 'usable'): number => last.stats[k] - dropped.stats[k] + fresh.stats[k];
  const stats: FeedStats = {
    dataLines: sum('dataLines'), parseAccepted: sum('parseAccepted'), parseRejected: {}, parseRejectedTotal: 0,
    guardRejected: {}, guardRejectedTotal: 0, carved: {}, usable: sum('usable'), parseSamples: [], guardSamples: [],
  };
  // as evaluateFeed judges (no pinned digest, no declared count: reusableFeed, clean)
  const health = judgeFeedUpdate(
    { dataLines: stats.dataLines, parseRejected: 0, usable: stats.usable, declaredRecords: undefined, sha256: undefined, lastGoodCount },
    feed,
  );
  return { health, stats, dropped, fresh };
}

/** The entries and ranges of the new body: last's, patched; null if `dropped` is not within
 *  last's entries (never for what evaluateChanged gives; the caller then reads the whole). */
export function patchLast(last: LastParse, dropped: LineParts, fresh: LineParts): LineParts & { ranges: PackedRanges; delta: V4Delta } | null {
  const parts = patchParts(last.parts, dropped.parts, fresh.parts);
  const v6Parts = parts && (dropped.v6Parts.length || fresh.v6Parts.length ? patchV6Parts(last.v6Parts, dropped.v6Parts, fresh.v6Parts) : last.v6Parts);
  if (!parts || !v6Parts) return null;
  const v4 = patchUnion(last.ranges, parts, dropped.parts, fresh.parts);
  return { parts, v6Parts, ranges: { ...v4.ranges, ...v6PartsRanges(v6Parts) }, delta: v4.delta };
}
