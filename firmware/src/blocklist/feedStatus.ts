// How a feed's status row moves with each refresh outcome (pure), and what a fault tells the box
// (feedFault). The feature records the row; a loaded download's new counts are only taken once
// the kernel holds the entries, so a refused apply never leaves the feed looking healthy with
// numbers the kernel does not enforce.
import type { FeatureContext } from '../feature/contract.js';
import type { ResolvedFeed } from '../config/feedCatalog.js';
import { rejectedCounts, type RefreshOutcome } from './refresh.js';
import type { FeedStatusRow } from './repos.js';
import { packedCount } from './packed.js';

type Loaded = Extract<RefreshOutcome, { kind: 'ok' }>;
type Fault = Extract<RefreshOutcome, { kind: 'fault' }>;

/** The same content again: a success that changed nothing. */
export function statusUnchanged(st: FeedStatusRow, now: number): void {
  st.lastSuccessAt = now;
  st.consecutiveFailures = 0;
  st.lastError = null;
}

/** A download that could not be used (network, parse, guard, shrink): the last-good stays. */
export function statusFault(st: FeedStatusRow, out: Fault, now: number): void {
  st.consecutiveFailures++;
  st.lastError = `${out.reason}: ${JSON.stringify(out.detail).slice(0, 300)}`;
  st.lastErrorAt = now;
  if (out.stats) st.rejected = rejectedCounts(out.stats);
}

/** The row to record once the kernel has taken a loaded download. */
export function statusLoaded(st: FeedStatusRow, out: Loaded, now: number): FeedStatusRow {
  return {
    ...st, lastSuccessAt: now, lastChangeAt: now, consecutiveFailures: 0, lastError: null,
    entries: packedCount(out.ranges), usable: out.usable,
    dataLines: out.stats.dataLines, rejected: rejectedCounts(out.stats), validators: out.validators,
  };
}

/** The kernel refused the entries of a loaded download: a failure, the last-good stays. */
export function statusApplyFailed(st: FeedStatusRow, message: string, now: number): void {
  st.consecutiveFailures++;
  st.lastError = `apply: ${message.slice(0, 300)}`;
  st.lastErrorAt = now;
}

/** A feed's download could not be used (or not applied): its condition fails and the office
 *  gets a feed_fault alert, saying how many entries stay enforced (the last-good). */
export function feedFault(ctx: Pick<FeatureContext<unknown>, 'conditions' | 'raise' | 'now'>, feed: ResolvedFeed, reason: string, detail: Record<string, unknown>, keptEntries: number): void {
  ctx.conditions.set(`feed:${feed.id}`, false, `${reason}; last-good kept`);
  ctx.raise({
    kind: 'feed_fault', severity: 'warning', dedupKey: `${feed.id}|${reason}`, at: ctx.now(), action: 'none', upstream: false, // upstream hears the feed:ID condition's failure and recovery
    params: { feedId: feed.id, feedNameJa: feed.name.ja, feedNameEn: feed.name.en, reason, keptEntries },
    evidence: { ...detail, feedId: feed.id, reason },
  });
}
