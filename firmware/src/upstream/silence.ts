// Pure: is the monitoring centre out of touch? "Nothing confirmed for longer than the threshold
// while messages wait." The office page and the 'upstream' condition follow this one rule.
import type { UpstreamStatus } from './contract.js';

export type SilenceState =
  /** No collector provisioned: nothing can be confirmed at all. */
  | { state: 'none' }
  /** Nothing waits, or the link proved itself within the threshold. */
  | { state: 'ok'; waiting: number }
  /** Messages wait and nothing was confirmed for longer than the threshold. */
  | { state: 'silent'; waiting: number; since: number; silentMs: number };

/**
 * Decides from the delivery status and `now` (ms). The reference point is the later of the last
 * confirmation and the oldest waiting message: a message queued after a long idle spell has had
 * no chance to be confirmed yet, so the clock starts with it.
 */
export function silenceState(status: UpstreamStatus | null, now: number, thresholdMs: number): SilenceState {
  if (!status || status.peer === null) return { state: 'none' };
  const waiting = status.queueDepth;
  if (waiting <= 0) return { state: 'ok', waiting: 0 };
  const since = Math.max(status.lastConfirmedAt ?? -Infinity, status.oldestWaitingAt ?? now);
  const silentMs = now - since;
  return silentMs > thresholdMs ? { state: 'silent', waiting, since, silentMs } : { state: 'ok', waiting };
}
