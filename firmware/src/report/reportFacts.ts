// The facts of one month's report, as the daemon hands them (app/monthlyReports.ts) to the web UI:
// the kept daily statistics (the very records sent to the monitoring centre each day), the
// blocked attempts per device from the same daily counters, the month's incidents with what
// staff did, and the devices to mention. Plain data; the report's sums and wording are pure
// functions in webui/src/report/model.ts and views/report.ts.
import type { Severity } from '../alerts/types.js';
import type { StoredAck as Ack } from '../store/acksRepo.js';
import type { DailyStats } from '../upstream/dailyStats.js';

export interface ReportDevice {
  mac: string;
  label: string | null;
  hostname: string | null;
  deviceType: string;
  firstSeen: number;
  status: string;
}

export interface ReportIncident {
  id: number;
  openedAt: number;
  lastAt: number;
  kinds: string[];
  severity: Severity;
  device: { mac?: string | undefined; ip?: string | undefined };
  ack: Ack | null;
  /** Device decisions taken on the incident's device during the month (approve, quarantine, ...). */
  actions: string[];
}

/** Blocked attempts of one day not (yet) in a sent daily statistic, from the running counters. */
export interface PendingDay {
  day: string;
  blocked: { total: number; byCategory: Record<string, number> };
}

export interface MonthlyReportFacts {
  /** YYYY-MM */
  month: string;
  /** True when the month is over (its figures no longer change). */
  complete: boolean;
  /** 'snapshot': stored at or after month end; 'live': computed now from retained data. */
  source: 'snapshot' | 'live';
  computedAt: number;
  /** The daily statistics sent to the monitoring centre, one per day of the month sent so far. */
  days: DailyStats[];
  /** Days of the month not (yet) sent upstream (today, or a day the box missed), counted from the
   *  box's own running counters "up to now": the same counters the per-device figures come
   *  from, so every figure of the report covers the same attempts. Absent in old snapshots. */
  pendingDays?: PendingDay[] | undefined;
  /** Blocked attempts per device over the month (mac null: no device known), most first. */
  blockedByDevice: Array<{ mac: string | null; n: number }>;
  incidents: ReportIncident[];
  devices: { new: ReportDevice[]; eol: ReportDevice[]; quarantined: ReportDevice[] };
  /** Every device the box knows, to name the devices of the by-device table. */
  knownDevices?: ReportDevice[] | undefined;
}
