// Pure timing helpers for feed refresh. A fleet of boxes must not hit a feed in the same
// second, so each box delays every cron tick by a jitter derived from its device id and
// the feed id: stable across restarts (no thundering herd after a power cut), different
// between boxes. Failures back off exponentially up to a cap.
import { createHash } from 'node:crypto';

/** Deterministic delay in [0, maxMs) for this box and feed; throws RangeError if maxMs < 1. */
export function feedJitterMs(deviceId: string, feedId: string, maxMs: number): number {
  if (!Number.isInteger(maxMs) || maxMs < 1) throw new RangeError('maxMs must be a positive integer');
  const digest = createHash('sha256').update(deviceId).update('\u0000').update(feedId).digest();
  return digest.readUInt32BE(0) % maxMs;
}

export interface BackoffPolicy {
  /** Delay after the first failure (default 60 s). */
  baseMs?: number;
  /** Longest delay (default 6 h). */
  capMs?: number;
}

/** Delay before the next attempt after `consecutiveFailures` failures (0 → 0). */
export function backoffMs(consecutiveFailures: number, policy: BackoffPolicy = {}): number {
  const base = policy.baseMs ?? 60_000;
  const cap = policy.capMs ?? 6 * 3_600_000;
  if (consecutiveFailures <= 0) return 0;
  const exp = Math.min(consecutiveFailures - 1, 30); // 2^30 × base is past any cap
  return Math.min(cap, base * 2 ** exp);
}

export interface AttemptState {
  consecutiveFailures: number;
  /** When the last attempt ended (ms since epoch), or null if never tried. */
  lastAttemptAt: number | null;
}

/** True if a cron tick at `now` should fetch, or be skipped because backoff is still running.
 *  A last attempt later than `now` was timed by a clock since set back (NTP at boot): the
 *  backoff is not counted from it, or the feed would wait as long as the clock went back. */
export function shouldAttempt(now: number, state: AttemptState, policy: BackoffPolicy = {}): boolean {
  if (state.lastAttemptAt === null || state.consecutiveFailures === 0 || now < state.lastAttemptAt) return true;
  return now >= state.lastAttemptAt + backoffMs(state.consecutiveFailures, policy);
}

/** When to retry after a failure, independent of the cron schedule (jitter added). */
export function retryAt(now: number, consecutiveFailures: number, jitterMs: number, policy: BackoffPolicy = {}): number {
  return now + backoffMs(consecutiveFailures, policy) + jitterMs;
}
