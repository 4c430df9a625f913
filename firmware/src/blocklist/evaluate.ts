// One feed, end to end through the pure core: parse each downloaded body, guard the
// entries, and judge the update. What `utmctl blocklist check` prints and what the
// per-feed status row stores come from the FeedOutcome returned here.
import type { IpRange } from '../net/ip.js';
import type { Feed } from '../config/feedCatalog.js';
import { judgeFeedUpdate, type FeedHealth } from './feedHealth.js';
import { emptyGuardResult, guardEntry, guardV4Batch, type Guard, type GuardReason } from './guard.js';
import { guardV6Batch, guardV6Range } from './guardV6.js';
import { parseFeed, type LineRejectReason, type RejectSample } from './parse.js';

export type FeedRules = Pick<Feed, 'id' | 'format' | 'csv' | 'allowHostBits' | 'minEntries' | 'maxShrinkRatio' | 'maxRejectRatio' | 'sha256'>;

export interface FeedBody {
  /** The body: the downloaded bytes (UTF-8, parsed without decoding them whole) or text. */
  text: string | Buffer;
  /** Digest of the raw body as downloaded (fetch.ts reports it). */
  sha256?: string | undefined;
}

export interface FeedStats {
  dataLines: number;
  parseAccepted: number;
  parseRejected: Partial<Record<LineRejectReason, number>>;
  parseRejectedTotal: number;
  guardRejected: Partial<Record<GuardReason, number>>;
  guardRejectedTotal: number;
  carved: Partial<Record<GuardReason, number>>;
  /** Entries that would be loaded (after the guard). */
  usable: number;
  declaredRecords?: number;
  parseSamples: RejectSample[];
  guardSamples: Array<{ entry: string; reason: GuardReason; carved: boolean }>;
}

/** Where guarded IPv4 entries go as numbers (a RangePacker): mostly in batches, entry k of n at
 *  firsts[k], lasts[k] (valid during the call); one at a time what the guard carved. */
export interface V4Sink {
  addV4Batch(firsts: Float64Array, lasts: Float64Array, n: number): void;
  addV4(first: number, last: number): void;
}

/** Where guarded IPv6 entries go as words (a RangePacker), as V4Sink: in batches, entry k's
 *  first at words[8k..8k+3], last at words[8k+4..8k+7]; one at a time what the guard carved. */
export interface V6Sink {
  addV6Batch(words: Uint32Array, n: number): void;
  addV6(w: Uint32Array): void;
}

export interface FeedOutcome {
  feedId: string;
  health: FeedHealth;
  /** Guarded entries; load them only when `health.ok`. */
  entries: IpRange[];
  stats: FeedStats;
}

function add<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [k, v] of Object.entries(from) as Array<[K, number]>) into[k] = (into[k] ?? 0) + v;
}

/** Parse, guard and judge the bodies of one feed (v4 and/or v6 URL); pure, never throws on content. */
export function evaluateFeed(
  feed: FeedRules, bodies: { v4?: FeedBody; v6?: FeedBody }, guard: Guard, lastGoodCount: number | null,
  /** Streams guarded entries here instead of collecting them in `entries` (1M IpRange objects cost ~100 MB). */
  sink?: (r: IpRange) => void,
  /** With `sink`: guarded IPv4 entries as numbers, read on numbers from the line to here for
   *  the plain formats (no bigint or object per entry), in batches (parse.ts onV4Batch). */
  sinkV4?: V4Sink,
  /** With `sinkV4`: guarded IPv6 entries as words, read and guarded on numbers the same way,
   *  in batches (parse.ts onV6Batch, guardV6.ts). */
  sinkV6?: V6Sink,
): FeedOutcome {
  const stats: FeedStats = {
    dataLines: 0, parseAccepted: 0, parseRejected: {}, parseRejectedTotal: 0,
    guardRejected: {}, guardRejectedTotal: 0, carved: {}, usable: 0, parseSamples: [], guardSamples: [],
  };
  const entries: IpRange[] = [];
  let usable = 0;
  let sha256: { expected: string; actual: string } | undefined;
  let declared: number | undefined;
  for (const fam of ['v4', 'v6'] as const) {
    const body = bodies[fam];
    if (body === undefined) continue;
    const pinned = feed.sha256?.[fam];
    if (pinned !== undefined && sha256 === undefined && body.sha256 !== undefined && pinned !== body.sha256.toLowerCase()) {
      sha256 = { expected: pinned, actual: body.sha256 };
    }
    // stream parse → guard so the unguarded entry list is never held
    const g = emptyGuardResult();
    const keep = sink
      ? (r: IpRange): void => { usable++; sink(r); }
      : (r: IpRange): void => { usable++; entries.push(r); };
    // made once, not per entry: a closure per line is 1M short-lived objects at 1M
    const keepV4 = (a: number, b: number): void => { usable++; sinkV4?.addV4(a, b); };
    const keepV6 = (w: Uint32Array): void => { usable++; sinkV6?.addV6(w); };
    const p = parseFeed(body.text, {
      format: feed.format,
      ...(feed.csv ? { csv: feed.csv } : {}),
      allowHostBits: feed.allowHostBits,
      // an IPv6 entry the full parser read (a range, a commented line) is guarded and kept on
      // numbers too when the caller takes words
      onEntry: sink && sinkV4 && sinkV6
        ? (e) => (e.family === 6 ? guardV6Range(e.first, e.last, guard, g, keepV6) : guardEntry(e, guard, g, keep))
        : (e) => guardEntry(e, guard, g, keep),
      // a batch is guarded in place, then handed on whole: the loops over entries are top-level
      // functions and a method, not this refresh's closures (V8 keeps their optimised code)
      ...(sink && sinkV4 ? {
        onV4Batch: (fs: Float64Array, ls: Float64Array, n: number) => {
          const m = guardV4Batch(fs, ls, n, guard, g, keepV4);
          usable += m;
          sinkV4.addV4Batch(fs, ls, m);
        },
      } : {}),
      ...(sink && sinkV4 && sinkV6 ? {
        onV6Batch: (words: Uint32Array, n: number) => {
          const m = guardV6Batch(words, n, guard, g, keepV6);
          usable += m;
          sinkV6.addV6Batch(words, m);
        },
      } : {}),
    });
    stats.dataLines += p.dataLines;
    stats.parseAccepted += p.acceptedTotal;
    add(stats.parseRejected, p.rejected);
    stats.parseRejectedTotal += p.rejectedTotal;
    stats.parseSamples.push(...p.samples);
    if (p.declaredRecords !== undefined) declared = (declared ?? 0) + p.declaredRecords;
    add(stats.guardRejected, g.rejected);
    stats.guardRejectedTotal += g.rejectedTotal;
    add(stats.carved, g.carved);
    stats.guardSamples.push(...g.samples);
  }
  stats.usable = usable;
  if (declared !== undefined) stats.declaredRecords = declared;
  const health = judgeFeedUpdate(
    { dataLines: stats.dataLines, parseRejected: stats.parseRejectedTotal, usable: stats.usable, declaredRecords: declared, sha256, lastGoodCount },
    feed,
  );
  return { feedId: feed.id, health, entries, stats };
}
