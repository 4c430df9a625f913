// Pure: the day's statistics the box shares with the monitoring centre (情報共有) and keeps for
// the monthly report: alerts by kind and severity, blocked attempts by feed category, devices
// seen / new / quarantined, and how much of the day the link to the centre was up.
import type { Severity } from '../alerts/types.js';
import type { UpstreamMessage } from './contract.js';
import { byCodeUnit } from '../collections/order.js';

/** One calendar day of the box: [start, end) in ms, keyed YYYY-MM-DD. */
export interface DaySpan {
  key: string;
  start: number;
  end: number;
}

/** The box-local calendar day holding `ms` (the process time zone, as node-cron uses). */
export function localDay(ms: number): DaySpan {
  const d = new Date(ms);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  const p = (n: number): string => String(n).padStart(2, '0');
  return { key: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`, start, end };
}

export interface StatsInput {
  day: DaySpan;
  /** Alerts created that day (others are ignored). */
  alerts: ReadonlyArray<{ kind: string; severity: Severity; firstSeen: number }>;
  /** Blocked attempts that day per feed category ('local' and 'manual' for the box's own lists). */
  blockedByCategory: Readonly<Record<string, number>>;
  devices: ReadonlyArray<{ firstSeen: number; lastSeen: number; status: string }>;
  /** Device audit entries (only `quarantine` actions within the day count). */
  audit: ReadonlyArray<{ at: number; action: string; mac: string }>;
  upstream: { upMs: number; observedMs: number };
}

export interface DailyStats {
  day: string;
  from: number;
  to: number;
  alerts: { total: number; bySeverity: Record<Severity, number>; byKind: Record<string, Record<Severity, number>> };
  blocked: { total: number; byCategory: Record<string, number> };
  devices: { seen: number; new: number; quarantined: number; quarantinedNow: number };
  /** availability: upMs / observedMs, null when utmd did not watch at all that day. */
  upstream: { upMs: number; observedMs: number; availability: number | null };
}

const zero = (): Record<Severity, number> => ({ danger: 0, warning: 0, info: 0 });
const inDay = (t: number, d: DaySpan): boolean => t >= d.start && t < d.end;

/** Computes one day's statistics from plain data. Never throws. */
export function computeDailyStats(i: StatsInput): DailyStats {
  const bySeverity = zero();
  const byKind: Record<string, Record<Severity, number>> = {};
  let total = 0;
  for (const a of i.alerts) {
    if (!inDay(a.firstSeen, i.day) || !(a.severity in bySeverity)) continue;
    total++;
    bySeverity[a.severity]++;
    (byKind[a.kind] ??= zero())[a.severity]++;
  }
  const byCategory: Record<string, number> = {};
  let blocked = 0;
  for (const [k, n] of Object.entries(i.blockedByCategory).sort(([a], [b]) => byCodeUnit(a, b))) {
    if (!Number.isFinite(n) || n <= 0) continue;
    byCategory[k] = Math.round(n);
    blocked += Math.round(n);
  }
  const seen = i.devices.filter((d) => d.firstSeen < i.day.end && d.lastSeen >= i.day.start).length;
  const fresh = i.devices.filter((d) => inDay(d.firstSeen, i.day)).length;
  const quarantined = new Set(i.audit.filter((e) => e.action === 'quarantine' && inDay(e.at, i.day)).map((e) => e.mac)).size;
  const dayMs = i.day.end - i.day.start;
  const observedMs = Math.max(0, Math.min(dayMs, i.upstream.observedMs));
  const upMs = Math.max(0, Math.min(observedMs, i.upstream.upMs));
  return {
    day: i.day.key, from: i.day.start, to: i.day.end,
    alerts: { total, bySeverity, byKind: Object.fromEntries(Object.entries(byKind).sort(([a], [b]) => byCodeUnit(a, b))) },
    blocked: { total: blocked, byCategory },
    devices: { seen, new: fresh, quarantined, quarantinedNow: i.devices.filter((d) => d.status === 'quarantined').length },
    upstream: { upMs, observedMs, availability: observedMs > 0 ? upMs / observedMs : null },
  };
}

export const STATS_SD_ID = 'utmStats@32473';

/** The upstream message for a day's statistics; `text` is the plain-language summary (catalog). */
export function statsMessage(s: DailyStats, at: number, text: string): UpstreamMessage {
  const kinds = Object.entries(s.alerts.byKind).map(([k, v]) => `${k}:${v.danger}/${v.warning}/${v.info}`).join(',');
  const cats = Object.entries(s.blocked.byCategory).map(([k, v]) => `${k}:${v}`).join(',');
  return {
    class: 'stats', msgId: 'stats', severity: 6, timestamp: at, text,
    sd: [{ id: STATS_SD_ID, params: {
      day: s.day, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString(),
      alerts: s.alerts.total, alertsDanger: s.alerts.bySeverity.danger, alertsWarning: s.alerts.bySeverity.warning, alertsInfo: s.alerts.bySeverity.info,
      // kind:danger/warning/info, e.g. "beacon:1/0/0,blocklist_hit:5/2/0"
      alertKinds: kinds || undefined,
      blocked: s.blocked.total, blockedBy: cats || undefined,
      devicesSeen: s.devices.seen, devicesNew: s.devices.new, devicesQuarantined: s.devices.quarantined, quarantinedNow: s.devices.quarantinedNow,
      upstreamUpS: Math.round(s.upstream.upMs / 1000), upstreamObservedS: Math.round(s.upstream.observedMs / 1000),
      upstreamAvailability: s.upstream.availability === null ? undefined : s.upstream.availability.toFixed(4),
    } }],
  };
}
