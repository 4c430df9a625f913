// `utmctl blocklist check FILE`: parse and validate a feed file locally (no daemon, no
// network), with the same parser and guard a feed goes through. Pure.
import { evaluateFeed, type FeedRules } from './evaluate.js';
import { buildGuard } from './guard.js';
import { FEED_FORMATS, type FeedFormat } from '../config/feedCatalog.js';
import { packedCount, packRanges } from './packed.js';

export interface CheckSummary {
  format: FeedFormat;
  dataLines: number;
  accepted: number;
  /** Ranges left after merging (what the sets would hold). */
  merged: number;
  rejected: Record<string, number>;
  rejectedTotal: number;
  carved: Record<string, number>;
  healthy: boolean;
  fault: string | null;
  samples: Array<{ line?: number; reason: string; text: string }>;
}

/** True if `s` names a parser format. */
export function isFeedFormat(s: string): s is FeedFormat {
  return (FEED_FORMATS as readonly string[]).includes(s);
}

/** Checks a feed body as a feed with default limits would be (no runtime protected list). */
export function checkFeedText(text: string, format: FeedFormat, csvColumn?: string): CheckSummary {
  const column = csvColumn === undefined ? undefined : /^[1-9][0-9]*$/.test(csvColumn) ? Number(csvColumn) : csvColumn;
  const rules: FeedRules = {
    id: 'check', format, allowHostBits: false, minEntries: 1, maxShrinkRatio: 0.5, maxRejectRatio: 0.1,
    ...(column !== undefined ? { csv: { column } } : {}),
  };
  const o = evaluateFeed(rules, { v4: { text } }, buildGuard(), null);
  const rejected: Record<string, number> = {};
  for (const src of [o.stats.parseRejected, o.stats.guardRejected]) for (const [k, v] of Object.entries(src)) rejected[k] = (rejected[k] ?? 0) + (v ?? 0);
  const p = packRanges(o.entries);
  return {
    format,
    dataLines: o.stats.dataLines,
    accepted: o.stats.usable,
    merged: packedCount(p),
    rejected,
    rejectedTotal: o.stats.parseRejectedTotal + o.stats.guardRejectedTotal,
    carved: Object.fromEntries(Object.entries(o.stats.carved).map(([k, v]) => [k, v ?? 0])),
    healthy: o.health.ok,
    fault: o.health.ok ? null : o.health.reason,
    samples: [
      ...o.stats.parseSamples.map((s) => ({ line: s.line, reason: s.reason, text: s.text })),
      ...o.stats.guardSamples.map((s) => ({ reason: s.carved ? `carved:${s.reason}` : s.reason, text: s.entry })),
    ],
  };
}
