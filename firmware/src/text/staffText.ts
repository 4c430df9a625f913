// The words firmware needs for people (upstream MSG text, utmctl explanations), as a port.
// The one message catalog lives in webui/src/i18n/; the composition root (cli/utmdMain.ts)
// builds a StaffText from it (webui/src/i18n/staffText.ts) and passes it in, so no module
// under firmware/src reaches into the catalog itself.
import type { Alert } from '../alerts/types.js';

export type Lang = 'ja' | 'en';

/** An alert explained: what happened, why it matters, what the box did, what to do, whom to call. */
export interface AlertWords {
  title: string;
  what: string;
  why: string;
  did: string;
  todo: string;
  call: string;
}

/** A condition that failed or recovered, as told upstream. */
export interface ConditionChange { type: 'failure' | 'recovery'; id: string; failedAt: number; at: number; detail: string }

/** The heartbeat's facts. */
export interface HeartbeatFacts { uptimeMs: number; queueDepth: number | null; failing: readonly string[] }

/** The daily statistics' facts. */
export interface StatsFacts {
  day: string;
  alerts: { total: number; bySeverity: { danger: number } };
  blocked: { total: number };
  devices: { seen: number; new: number; quarantined: number };
  upstream: { availability: number | null };
}

/** Everything firmware says to people, in the staff's language or the technician's. */
export interface StaffText {
  /** An alert through the message catalog, with the provisioned desk as whom to call. */
  explain(a: Alert, lang: Lang): AlertWords;
  condition(e: ConditionChange, lang: Lang): string;
  heartbeat(f: HeartbeatFacts, lang: Lang): string;
  stats(s: StatsFacts, lang: Lang): string;
}
