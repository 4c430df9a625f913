// Pure decision: is a freshly downloaded feed healthy enough to replace the last-good
// entries? A fault keeps the previous entries loaded and tells the technician why.
// Checks run in a fixed order so the reported reason is the most basic one.

export type FeedFaultReason =
  | 'checksum_mismatch' // pinned sha256 differs: maybe tampered, maybe a wrong file
  | 'empty' // no usable entry at all
  | 'parse_failure_rate' // too many data lines rejected by the parser
  | 'truncated' // the feed declares more records than it holds (Spamhaus metadata)
  | 'below_minimum' // fewer entries than the catalog's plausible minimum
  | 'shrunk'; // far fewer entries than last-good

export interface FeedHealthPolicy {
  minEntries: number;
  /** 0.5: fewer than half of last-good is a fault. */
  maxShrinkRatio: number;
  /** 0.1: more than 10% of data lines rejected is a fault. */
  maxRejectRatio: number;
}

export interface FeedHealthInput {
  /** Data lines seen by the parser (accepted + rejected), summed over the feed's URLs. */
  dataLines: number;
  /** Lines the parser rejected. */
  parseRejected: number;
  /** Entries left after the guard: what would actually be loaded. */
  usable: number;
  /** Record count the feed declares about itself, if it does. */
  declaredRecords?: number | undefined;
  /** Pinned and actual body digests, when a digest is pinned. */
  sha256?: { expected: string; actual: string } | undefined;
  /** Usable entries of the last-good version; null on first load. */
  lastGoodCount: number | null;
}

export type FeedHealth =
  | { ok: true }
  | { ok: false; reason: FeedFaultReason; detail: Record<string, number | string> };

/** Judge one update; pure, never throws. */
export function judgeFeedUpdate(input: FeedHealthInput, policy: FeedHealthPolicy): FeedHealth {
  const fault = (reason: FeedFaultReason, detail: Record<string, number | string>): FeedHealth => ({ ok: false, reason, detail });
  if (input.sha256 && input.sha256.expected.toLowerCase() !== input.sha256.actual.toLowerCase()) {
    return fault('checksum_mismatch', { expected: input.sha256.expected, actual: input.sha256.actual });
  }
  if (input.usable === 0 || input.dataLines === 0) {
    return fault('empty', { dataLines: input.dataLines, usable: input.usable });
  }
  const rejectRatio = input.parseRejected / input.dataLines;
  if (rejectRatio > policy.maxRejectRatio) {
    return fault('parse_failure_rate', { rejected: input.parseRejected, dataLines: input.dataLines, limit: policy.maxRejectRatio });
  }
  if (input.declaredRecords !== undefined && input.dataLines < input.declaredRecords) {
    return fault('truncated', { declared: input.declaredRecords, dataLines: input.dataLines });
  }
  if (input.usable < policy.minEntries) {
    return fault('below_minimum', { usable: input.usable, minEntries: policy.minEntries });
  }
  if (input.lastGoodCount !== null && input.usable < input.lastGoodCount * (1 - policy.maxShrinkRatio)) {
    return fault('shrunk', { usable: input.usable, lastGood: input.lastGoodCount, maxShrinkRatio: policy.maxShrinkRatio });
  }
  return { ok: true };
}
