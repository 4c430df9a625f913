// The office page's port into the daemon (webui OfficePort): staff 対応済み marks, the kept
// daily statistics for "this week", and the monthly report's facts. Built from the open store
// and the reporting (app/reporting.ts), so page, report and monitoring centre read the same rows.
import { AUDIT_KEEP, DevicesRepo } from '../devices/repo.js';
import { AcksRepo } from '../store/acksRepo.js';
import type { AlertsRepo } from '../alerts/alertsRepo.js';
import type { Db } from '../store/db.js';
import { IncidentsRepo } from '../alerts/incidentsRepo.js';
import type { ReportingRepo } from '../upstream/reportingRepo.js';
import { localDay } from '../upstream/dailyStats.js';
import type { OfficePort } from '../../../webui/src/deps/deps.js';
import { MonthlyReports } from './monthlyReports.js';

const HOUR = 3_600_000;
/** Marks older than this are dropped: the page looks back 40 days, and a finished month's
 *  report keeps its own copy (monthly_reports). */
export const ACKS_KEEP_MS = 100 * 24 * HOUR;

/** The port for an open store; `reporting` is null when the box keeps no statistics. */
export function officePort(o: {
  db: Db; alerts: AlertsRepo; reporting: ReportingRepo | null; now: () => number;
  /** A housekeeping write failed (a full disk): the page is still served (default: thrown away). */
  onError?: ((e: unknown) => void) | undefined;
}): OfficePort {
  const acks = new AcksRepo(o.db);
  const incidents = new IncidentsRepo(o.db);
  const devices = new DevicesRepo(o.db);
  const reports = o.reporting ? new MonthlyReports({ db: o.db, reporting: o.reporting, now: o.now, devices: () => devices.load(AUDIT_KEEP), onError: o.onError }) : null;
  let snapshotCheckedAt = -Infinity;
  return {
    acks: (since) => acks.since(since),
    acknowledge: (a) => {
      const exists = a.target === 'alert' ? o.alerts.get(a.id) !== undefined : incidents.get(a.id) !== undefined;
      if (exists) acks.put(a);
      return exists;
    },
    dailyStats: (from, to) => {
      // The page is read at least daily on a working box: a cheap hourly check stores last
      // month's report before its counters are pruned (40 days), and bounds the marks table.
      if (o.now() - snapshotCheckedAt > HOUR) {
        snapshotCheckedAt = o.now();
        // Housekeeping writes: a full disk must not take the page with it (the storage
        // condition says so, and the next hourly check tries again).
        try {
          reports?.snapshotPrevious();
          acks.prune(o.now() - ACKS_KEEP_MS);
        } catch (e) {
          o.onError?.(e);
        }
      }
      return o.reporting?.statsRange(from, to) ?? [];
    },
    dayOf: (ms) => localDay(ms).key,
    report: (month) => reports?.facts(month) ?? null,
  };
}
