// Repository of alerts: statements prepared once; rows mapped to the Alert type.
import type { Alert, AlertParams, BoxAction, Direction, Severity } from './types.js';
import type { Db } from '../store/db.js';

interface Row {
  id: number; kind: string; severity: string; dedup_key: string; device_mac: string | null;
  device_ip: string | null; remote_ip: string | null; remote_port: number | null; direction: string | null;
  action: string; count: number; first_seen: number; last_seen: number; params: string; evidence: string;
  incident_id: number | null;
}

export type NewAlert = Omit<Alert, 'id'>;

export class AlertsRepo {
  private readonly insertStmt;
  private readonly bumpStmt;
  private readonly byKeyStmt;
  private readonly recentStmt;
  private readonly byIdStmt;
  private readonly pruneStmt;
  private readonly countStmt;
  private readonly createdStmt;
  private readonly toldGetStmt;
  private readonly toldSetStmt;
  private readonly pendingSetStmt;
  private readonly pendingStmt;
  private readonly restateStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(`INSERT INTO alerts (kind, severity, dedup_key, device_mac, device_ip, remote_ip, remote_port,
      direction, action, count, first_seen, last_seen, params, evidence, incident_id)
      VALUES (@kind, @severity, @dedup_key, @device_mac, @device_ip, @remote_ip, @remote_port, @direction, @action,
      @count, @first_seen, @last_seen, @params, @evidence, @incident_id)`);
    this.bumpStmt = db.prepare(`UPDATE alerts SET count = count + @count, last_seen = max(last_seen, @last_seen),
      severity = @severity, params = @params, evidence = @evidence, device_mac = coalesce(device_mac, @device_mac) WHERE id = @id`);
    this.byKeyStmt = db.prepare(`SELECT * FROM alerts WHERE kind = ? AND dedup_key = ? AND last_seen >= ? ORDER BY last_seen DESC LIMIT 1`);
    this.restateStmt = db.prepare(`UPDATE alerts SET kind = @kind, severity = @severity, last_seen = max(last_seen, @last_seen),
      params = @params, evidence = @evidence WHERE id = @id`);
    this.recentStmt = db.prepare(`SELECT * FROM alerts ORDER BY last_seen DESC, id DESC LIMIT ?`);
    this.byIdStmt = db.prepare(`SELECT * FROM alerts WHERE id = ?`);
    this.pruneStmt = db.prepare(`DELETE FROM alerts WHERE last_seen < ?`);
    this.countStmt = db.prepare(`SELECT count(*) AS n FROM alerts`);
    this.createdStmt = db.prepare(`SELECT kind, severity, first_seen AS firstSeen FROM alerts WHERE first_seen >= ? AND first_seen < ?`);
    this.toldGetStmt = db.prepare(`SELECT size FROM alert_told WHERE alert_id = ?`);
    this.toldSetStmt = db.prepare(`INSERT INTO alert_told (alert_id, size, pending) VALUES (?, ?, 0)
      ON CONFLICT(alert_id) DO UPDATE SET size = excluded.size, pending = 0`);
    this.pendingSetStmt = db.prepare(`UPDATE alert_told SET pending = ? WHERE alert_id = ? AND pending = 0`);
    this.pendingStmt = db.prepare(`SELECT a.* FROM alert_told t JOIN alerts a ON a.id = t.alert_id
      WHERE t.pending > 0 AND (a.last_seen <= ? OR t.pending <= ?) ORDER BY a.last_seen LIMIT ?`);
  }

  /** Stores a new alert and returns its id. */
  insert(a: NewAlert): number {
    const r = this.insertStmt.run({
      kind: a.kind, severity: a.severity, dedup_key: a.dedupKey, device_mac: a.device.mac ?? null,
      device_ip: a.device.ip ?? null, remote_ip: a.remote?.ip ?? null, remote_port: a.remote?.port ?? null,
      direction: a.direction, action: a.action, count: a.count, first_seen: a.firstSeen, last_seen: a.lastSeen,
      params: JSON.stringify(a.params), evidence: JSON.stringify(a.evidence), incident_id: a.incidentId,
    });
    return Number(r.lastInsertRowid);
  }

  /** Adds repeats to an existing alert; `params` and `evidence` replace the stored ones (the grown finding). */
  bump(id: number, u: { count: number; lastSeen: number; severity: Severity; params: AlertParams; evidence: Record<string, unknown>; mac?: string | undefined }): void {
    this.bumpStmt.run({
      id, count: u.count, last_seen: u.lastSeen, severity: u.severity, params: JSON.stringify(u.params),
      evidence: JSON.stringify(u.evidence), device_mac: u.mac ?? null,
    });
  }

  /** Replaces what alert `id` says (its kind too): a finding corrected on later evidence, never a repeat. */
  restate(id: number, u: { kind: string; lastSeen: number; severity: Severity; params: AlertParams; evidence: Record<string, unknown> }): void {
    this.restateStmt.run({ id, kind: u.kind, severity: u.severity, last_seen: u.lastSeen, params: JSON.stringify(u.params), evidence: JSON.stringify(u.evidence) });
  }

  /** The size params upstream was last told for alert `id` (empty when never). */
  told(id: number): Record<string, number> {
    const r = this.toldGetStmt.get(id) as { size: string } | undefined;
    if (!r) return {};
    const parsed: unknown = JSON.parse(r.size);
    const out: Record<string, number> = {};
    if (typeof parsed === 'object' && parsed !== null) {
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'number') out[k] = v;
    }
    return out;
  }

  /** Marks alert `id` as grown enough to tell upstream, since `at` (kept if already marked;
   *  no-op when upstream never heard of it). */
  markGrown(id: number, at: number): void {
    this.pendingSetStmt.run(Math.max(1, at), id);
  }

  /** Grown alerts to tell now: last seen at or before `quietSince`, or marked at or before `dueSince`. */
  grownDue(quietSince: number, dueSince: number, limit = 100): Alert[] {
    return (this.pendingStmt.all(quietSince, dueSince, limit) as Row[]).map(toAlert);
  }

  /** Records what upstream has now been told of alert `id`'s size (and that nothing is pending). */
  setTold(id: number, size: Record<string, number>): void {
    this.toldSetStmt.run(id, JSON.stringify(size));
  }

  /** The latest alert of this kind and key seen at or after `since`, if any. */
  findActive(kind: string, dedupKey: string, since: number): Alert | undefined {
    const r = this.byKeyStmt.get(kind, dedupKey, since) as Row | undefined;
    return r && toAlert(r);
  }

  get(id: number): Alert | undefined {
    const r = this.byIdStmt.get(id) as Row | undefined;
    return r && toAlert(r);
  }

  recent(limit: number): Alert[] {
    return (this.recentStmt.all(Math.max(1, Math.min(limit, 10_000))) as Row[]).map(toAlert);
  }

  /** Kind, severity and first sighting of the alerts created in [from, to) (daily statistics). */
  createdBetween(from: number, to: number): { kind: string; severity: Severity; firstSeen: number }[] {
    return this.createdStmt.all(from, to) as { kind: string; severity: Severity; firstSeen: number }[];
  }

  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }

  /** Deletes alerts last seen before `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}

function toAlert(r: Row): Alert {
  return {
    id: r.id, kind: r.kind, severity: r.severity as Severity, dedupKey: r.dedup_key,
    device: { mac: r.device_mac ?? undefined, ip: r.device_ip ?? undefined },
    remote: r.remote_ip ? { ip: r.remote_ip, port: r.remote_port ?? undefined } : null,
    direction: (r.direction as Direction | null) ?? null, action: r.action as BoxAction, count: r.count,
    firstSeen: r.first_seen, lastSeen: r.last_seen, params: JSON.parse(r.params) as AlertParams,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>, incidentId: r.incident_id,
  };
}
