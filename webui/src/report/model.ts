// The monthly report's figures and advice, pure: sums over the kept daily statistics (the very
// records sent to the monitoring centre, so the report reconciles with what the centre got),
// plus, for days not yet sent (today), the running counts up to now that the per-device figures
// also come from; the month's incidents and devices, a "weather" rating and three plain recommendations.
import type { Severity } from '../../../firmware/src/alerts/types.js';
import { incidentTone } from '../office/model.js';
import type { MonthlyReportFacts, ReportDevice, ReportIncident } from './facts.js';
import { byCodeUnit } from '../../../firmware/src/collections/order.js';

export type Weather = 'sunny' | 'cloudy' | 'rainy';
export type Recommendation =
  | { key: 'replaceEol'; n: number }
  | { key: 'handleOpen'; n: number }
  | { key: 'answerNew'; n: number }
  | { key: 'reviewQuarantined'; n: number }
  | { key: 'checkLine'; percent: number }
  | { key: 'phishing'; n: number }
  | { key: 'updates' }
  | { key: 'backups' }
  | { key: 'passwords' };

export interface MonthlyReport {
  month: string;
  complete: boolean;
  source: MonthlyReportFacts['source'];
  computedAt: number;
  daysCounted: number;
  /** Days counted "up to now" from the box's running counters, not (yet) sent upstream. */
  daysPending: number;
  daysInMonth: number;
  weather: Weather;
  blocked: { total: number; byCategory: Array<{ category: string; n: number }>; byDevice: Array<{ mac: string | null; n: number }> };
  alerts: { total: number; bySeverity: Record<Severity, number> };
  incidents: ReportIncident[];
  devices: { new: ReportDevice[]; eol: ReportDevice[]; quarantined: ReportDevice[] };
  upstream: { availability: number | null; upMs: number; observedMs: number; daysBelow: number };
  daily: Array<{ day: string; blocked: number | null }>;
  recommendations: Recommendation[];
}

/** Lists are cut to this many rows so the printed report stays within two A4 pages. */
export const REPORT_ROWS = 8;

/** The number of days of `month` (YYYY-MM); 0 for a malformed key. */
export function daysInMonth(month: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return 0;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
}

/** The three recommendations, most pressing first; always three. */
export function recommendations(r: Omit<MonthlyReport, 'recommendations'>): Recommendation[] {
  const out: Recommendation[] = [];
  if (r.devices.eol.length) out.push({ key: 'replaceEol', n: r.devices.eol.length });
  const open = r.incidents.filter((i) => i.ack === null && i.actions.length === 0).length;
  if (open) out.push({ key: 'handleOpen', n: open });
  const waiting = r.devices.new.filter((d) => d.status === 'new').length;
  if (waiting) out.push({ key: 'answerNew', n: waiting });
  if (r.devices.quarantined.length) out.push({ key: 'reviewQuarantined', n: r.devices.quarantined.length });
  if (r.upstream.availability !== null && r.upstream.availability < 0.99) out.push({ key: 'checkLine', percent: Math.floor(r.upstream.availability * 1000) / 10 });
  const phishing = r.blocked.byCategory.find((c) => c.category === 'phishing')?.n ?? 0;
  if (phishing) out.push({ key: 'phishing', n: phishing });
  out.push({ key: 'updates' }, { key: 'backups' }, { key: 'passwords' });
  return out.slice(0, 3);
}

/** Builds the report from its facts. Never throws. */
export function buildMonthlyReport(f: MonthlyReportFacts): MonthlyReport {
  const byCategory = new Map<string, number>();
  const bySeverity: Record<Severity, number> = { danger: 0, warning: 0, info: 0 };
  let blocked = 0;
  let alerts = 0;
  let upMs = 0;
  let observedMs = 0;
  let daysBelow = 0;
  for (const d of f.days) {
    blocked += d.blocked.total;
    for (const [k, n] of Object.entries(d.blocked.byCategory)) byCategory.set(k, (byCategory.get(k) ?? 0) + n);
    alerts += d.alerts.total;
    for (const s of ['danger', 'warning', 'info'] as const) bySeverity[s] += d.alerts.bySeverity[s] ?? 0;
    upMs += d.upstream.upMs;
    observedMs += d.upstream.observedMs;
    if (d.upstream.availability !== null && d.upstream.availability < 0.99) daysBelow++;
  }
  // One rule for every figure: a day sent upstream counts as sent; a day not (yet) sent counts
  // from the running counters, the same ones the per-device figures come from.
  const pending = (f.pendingDays ?? []).filter((p) => !f.days.some((d) => d.day === p.day));
  for (const p of pending) {
    blocked += p.blocked.total;
    for (const [k, c] of Object.entries(p.blocked.byCategory)) byCategory.set(k, (byCategory.get(k) ?? 0) + c);
  }
  const n = daysInMonth(f.month);
  const byDay = new Map([...f.days, ...pending].map((d) => [d.day, d.blocked.total]));
  const daily = Array.from({ length: n }, (_, i) => {
    const day = `${f.month}-${String(i + 1).padStart(2, '0')}`;
    return { day, blocked: byDay.get(day) ?? null };
  });
  const tones = f.incidents.map((i) => incidentTone(i));
  const weather: Weather = tones.includes('danger') ? 'rainy' : tones.length || bySeverity.warning || bySeverity.danger ? 'cloudy' : 'sunny';
  const base: Omit<MonthlyReport, 'recommendations'> = {
    month: f.month, complete: f.complete, source: f.source, computedAt: f.computedAt, daysCounted: f.days.length + pending.length, daysPending: pending.length, daysInMonth: n, weather,
    blocked: {
      total: blocked,
      byCategory: [...byCategory].map(([category, c]) => ({ category, n: c })).sort((a, b) => b.n - a.n || byCodeUnit(a.category, b.category)),
      byDevice: [...f.blockedByDevice].sort((a, b) => b.n - a.n).slice(0, REPORT_ROWS),
    },
    alerts: { total: alerts, bySeverity },
    incidents: [...f.incidents].sort((a, b) => a.openedAt - b.openedAt),
    devices: f.devices,
    upstream: { availability: observedMs > 0 ? upMs / observedMs : null, upMs, observedMs, daysBelow },
    daily,
  };
  return { ...base, recommendations: recommendations(base) };
}
