// "What happened this week" from the kept daily statistics, the same records the box sends to
// the monitoring centre each day (firmware/src/app/reporting.ts), so page, report and centre
// agree. Pure.
import type { DailyStats } from '../../../firmware/src/upstream/dailyStats.js';

export interface WeekDay {
  day: string;
  /** Blocked attempts that day; null when the box kept no statistics for it. */
  blocked: number | null;
}

export interface WeekFacts {
  days: WeekDay[];
  /** Days with statistics. */
  counted: number;
  blocked: number;
  alerts: number;
  danger: number;
  newDevices: number;
}

/** The seven days ending with `lastDay` (YYYY-MM-DD, inclusive), oldest first. */
export function weekDays(lastDay: string): string[] {
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  if (!Number.isFinite(end)) return [];
  return Array.from({ length: 7 }, (_, i) => new Date(end - (6 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** Sums the kept days among the seven ending with `lastDay`. Never throws. */
export function weekFacts(stats: readonly DailyStats[], lastDay: string): WeekFacts {
  const byDay = new Map(stats.map((s) => [s.day, s]));
  const days = weekDays(lastDay).map((day) => ({ day, blocked: byDay.get(day)?.blocked.total ?? null }));
  const kept = days.map((d) => byDay.get(d.day)).filter((s): s is DailyStats => s !== undefined);
  return {
    days, counted: kept.length,
    blocked: kept.reduce((n, s) => n + s.blocked.total, 0),
    alerts: kept.reduce((n, s) => n + s.alerts.total, 0),
    danger: kept.reduce((n, s) => n + s.alerts.bySeverity.danger, 0),
    newDevices: kept.reduce((n, s) => n + s.devices.new, 0),
  };
}
