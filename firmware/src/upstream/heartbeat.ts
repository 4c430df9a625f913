// Pure: the heartbeat the box sends every few minutes, so the monitoring centre notices a box
// that went silent, and sees at a glance that it runs, with which ruleset, how fresh its feeds
// are and whether messages pile up.
import type { UpstreamMessage } from './contract.js';

export const HEARTBEAT_SD_ID = 'utmHeartbeat@32473';

export interface HeartbeatFacts {
  at: number;
  startedAt: number;
  /** sha256 (hex) of the ruleset document in force (the last-good file); null when none yet. */
  rulesetSha256: string | null;
  /** Enabled feeds and when each last loaded or confirmed its list (null: never). */
  feeds: ReadonlyArray<{ id: string; lastSuccessAt: number | null }>;
  /** Messages waiting to be confirmed, and since when the oldest waits. */
  queueDepth: number | null;
  oldestWaitingAt: number | null;
  /** Conditions failing right now (ids). */
  failing: readonly string[];
  /** Seconds until the next heartbeat: the centre can tell a late one. */
  intervalS: number;
}

const secs = (ms: number): number => Math.max(0, Math.round(ms / 1000));

/** Feed ages as `id:seconds` (or `id:never`), comma-separated. */
export function feedAges(feeds: HeartbeatFacts['feeds'], at: number): string {
  return feeds.map((f) => `${f.id}:${f.lastSuccessAt === null ? 'never' : secs(at - f.lastSuccessAt)}`).join(',');
}

/** The heartbeat message; `text` is the plain-language line (catalog). */
export function heartbeatMessage(f: HeartbeatFacts, text: string): UpstreamMessage {
  return {
    class: 'heartbeat', msgId: 'heartbeat', severity: 6, timestamp: f.at, text,
    sd: [{ id: HEARTBEAT_SD_ID, params: {
      uptimeS: secs(f.at - f.startedAt),
      rulesetSha256: f.rulesetSha256 ?? undefined,
      feedAgesS: feedAges(f.feeds, f.at) || undefined,
      queue: f.queueDepth ?? undefined,
      oldestWaitingS: f.oldestWaitingAt === null ? undefined : secs(f.at - f.oldestWaitingAt),
      failing: f.failing.join(',') || undefined,
      intervalS: f.intervalS,
    } }],
  };
}
