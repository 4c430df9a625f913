// The monthly report's facts (issue 12), read from the store: the kept daily statistics (the
// same rows app/reporting.ts sent to the monitoring centre), blocked attempts per device from
// the same daily counters, the month's incidents with staff marks and device decisions, and the
// devices to mention. A finished month is stored once as a snapshot (migration 007), so its
// report survives the pruning of alerts (alertsDays), incidents and counters (40 days); the
// daily statistics themselves are kept 400 days. An adapter: the sums and words are in webui/.
import type { Db } from '../store/db.js';
import { AcksRepo } from '../store/acksRepo.js';
import { IncidentsRepo } from '../alerts/incidentsRepo.js';
import type { ReportingRepo } from '../upstream/reportingRepo.js';
import type { AuditEntry, Device } from '../devices/model.js';
import type { MonthlyReportFacts, PendingDay, ReportDevice } from '../report/reportFacts.js';
import { BLOCKED_DEVICE } from './reporting.js';

const DAY_MS = 86_400_000;
/** A finished month's last day is sent upstream early on the 1st (statsTime, or the catch-up at
 *  start): its snapshot waits for that, at most this long after the month ends. */
const SNAPSHOT_WAIT_MS = 2 * DAY_MS;
const BLOCKED_CATEGORY = 'blocked:';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** [start, end) of `month` (YYYY-MM) in the process time zone (the one localDay uses); null if malformed. */
export function monthSpan(month: string): { start: number; end: number } | null {
  const m = MONTH.exec(month);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { start: new Date(y, mo, 1).getTime(), end: new Date(y, mo + 1, 1).getTime() };
}

const brief = (d: Device): ReportDevice => ({ mac: d.mac, label: d.label, hostname: d.hostname, deviceType: d.deviceType, firstSeen: d.firstSeen, status: d.status });

export interface MonthlyReportsDeps {
  db: Db;
  reporting: ReportingRepo;
  devices: () => { devices: readonly Device[]; audit: readonly AuditEntry[] };
  now: () => number;
  /** Storing a snapshot failed (a full disk): the report is still shown, and stored next time. */
  onError?: ((e: unknown) => void) | undefined;
}

export class MonthlyReports {
  private readonly incidents: IncidentsRepo;
  private readonly acks: AcksRepo;
  private readonly getStmt;
  private readonly putStmt;

  constructor(private readonly d: MonthlyReportsDeps) {
    this.incidents = new IncidentsRepo(d.db);
    this.acks = new AcksRepo(d.db);
    this.getStmt = d.db.prepare<[string], { body: string }>('SELECT body FROM monthly_reports WHERE month = ?');
    this.putStmt = d.db.prepare('INSERT INTO monthly_reports (month, computed_at, body) VALUES (?, ?, ?) ON CONFLICT (month) DO NOTHING');
  }

  /** The month's facts: the stored snapshot of a finished month (made now if missing), or live
   *  figures for the current month. Null for a malformed key or a month not yet begun. */
  facts(month: string): MonthlyReportFacts | null {
    const span = monthSpan(month);
    const now = this.d.now();
    if (!span || span.start > now) return null;
    if (now >= span.end) {
      const kept = this.getStmt.get(month);
      if (kept) return JSON.parse(kept.body) as MonthlyReportFacts;
      const live = this.compute(month, span, now);
      // A day still waiting to be sent: the report says "up to now", and is stored once the
      // centre has every day (so a stored report reconciles with what the centre got).
      if (live.pendingDays?.length && now < span.end + SNAPSHOT_WAIT_MS) return live;
      const f = { ...live, source: 'snapshot' as const };
      try {
        this.putStmt.run(month, now, JSON.stringify(f));
      } catch (e) {
        this.d.onError?.(e);
      }
      return f;
    }
    return this.compute(month, span, now);
  }

  /** Stores the snapshot of the month before `now`'s, if not stored yet (cheap when it is). */
  snapshotPrevious(): void {
    const now = new Date(this.d.now());
    const prev = new Date(now.getFullYear(), now.getMonth() - 1, 1);
    const key = `${prev.getFullYear()}-${String(prev.getMonth() + 1).padStart(2, '0')}`;
    if (!this.getStmt.get(key)) this.facts(key);
  }

  private compute(month: string, span: { start: number; end: number }, now: number): MonthlyReportFacts {
    const first = `${month}-01`;
    const last = `${month}-31`;
    const days = this.d.reporting.statsRange(first, last);
    const sent = new Set(days.map((d) => d.day));
    const pendingDays: PendingDay[] = [];
    for (let i = 1; i <= 31; i++) {
      const day = `${month}-${String(i).padStart(2, '0')}`;
      if (sent.has(day)) continue;
      const c = Object.entries(this.d.reporting.counters(day));
      if (!c.some(([k]) => k.startsWith(BLOCKED_CATEGORY) || k.startsWith(BLOCKED_DEVICE))) continue;
      const byCategory = Object.fromEntries(c.filter(([k]) => k.startsWith(BLOCKED_CATEGORY)).map(([k, v]) => [k.slice(BLOCKED_CATEGORY.length), v]));
      pendingDays.push({ day, blocked: { total: Object.values(byCategory).reduce((n, v) => n + v, 0), byCategory } });
    }
    const blockedByDevice = this.d.reporting.sumCounters(first, last, BLOCKED_DEVICE)
      .map((r) => ({ mac: r.name.slice(BLOCKED_DEVICE.length) === 'none' ? null : r.name.slice(BLOCKED_DEVICE.length), n: r.value }));
    const inv = this.d.devices();
    const audit = inv.audit.filter((a) => a.at >= span.start && a.at < span.end);
    const acks = new Map(this.acks.between(span.start, Number.MAX_SAFE_INTEGER).filter((a) => a.target === 'incident').map((a) => [a.id, a]));
    const incidents = this.incidents.overlapping(span.start, span.end).map((i) => ({
      id: i.id, openedAt: i.openedAt, lastAt: i.lastAt, kinds: i.kinds, severity: i.severity, device: i.device,
      ack: acks.get(i.id) ?? null,
      actions: [...new Set(audit.filter((a) => i.device.mac !== undefined && a.mac === i.device.mac && a.at >= i.openedAt && ['approve', 'quarantine', 'release', 'auto_quarantine'].includes(a.action)).map((a) => a.action))],
    }));
    const quarantinedInMonth = new Set(audit.filter((a) => a.action === 'quarantine' || a.action === 'auto_quarantine').map((a) => a.mac));
    const seen = inv.devices.filter((d) => d.firstSeen < span.end && d.lastSeen >= span.start);
    const named = new Set(blockedByDevice.map((b) => b.mac));
    return {
      month, complete: now >= span.end, source: 'live', computedAt: now, days, pendingDays, blockedByDevice, incidents,
      devices: {
        new: seen.filter((d) => d.firstSeen >= span.start && d.status !== 'learning').map(brief),
        eol: seen.filter((d) => d.eol).map(brief),
        quarantined: inv.devices.filter((d) => d.status === 'quarantined' || quarantinedInMonth.has(d.mac)).map(brief),
      },
      knownDevices: inv.devices.filter((d) => named.has(d.mac)).map(brief),
    };
  }
}
