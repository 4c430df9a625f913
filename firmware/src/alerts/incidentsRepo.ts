// Repository of incidents: statements prepared once; rows mapped to StoredIncident.
import type { Incident } from './incidents.js';
import type { Severity } from './types.js';
import type { Db } from '../store/db.js';

interface Row {
  id: number; device_key: string; device_mac: string | null; device_ip: string | null; opened_at: number; last_at: number;
  kinds: string; stages: string; findings: number; base_severity: string; severity: string;
}

export interface StoredIncident extends Incident { id: number }

export class IncidentsRepo {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly latestStmt;
  private readonly recentStmt;
  private readonly byIdStmt;
  private readonly linkStmt;
  private readonly alertsOfStmt;
  private readonly pruneStmt;
  private readonly overlapStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(`INSERT INTO incidents (device_key, device_mac, device_ip, opened_at, last_at, kinds, stages,
      findings, base_severity, severity) VALUES (@device_key, @device_mac, @device_ip, @opened_at, @last_at, @kinds, @stages,
      @findings, @base_severity, @severity)`);
    this.updateStmt = db.prepare(`UPDATE incidents SET device_mac = @device_mac, device_ip = @device_ip, last_at = @last_at,
      kinds = @kinds, stages = @stages, findings = @findings, base_severity = @base_severity, severity = @severity WHERE id = @id`);
    // By key, or by address: flows name a device by IP when the MAC is unknown (bridge mode),
    // packet logs by MAC; both must land in the same incident.
    this.latestStmt = db.prepare(`SELECT * FROM incidents WHERE device_key = @key OR device_ip = @ip OR device_mac = @mac
      ORDER BY last_at DESC, id DESC LIMIT 1`);
    // Most severe first, then newest (the order of compareIncidents).
    this.recentStmt = db.prepare(`SELECT * FROM incidents WHERE last_at >= ? ORDER BY
      CASE severity WHEN 'danger' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END DESC, last_at DESC, id DESC LIMIT ?`);
    this.byIdStmt = db.prepare(`SELECT * FROM incidents WHERE id = ?`);
    this.linkStmt = db.prepare(`UPDATE alerts SET incident_id = ? WHERE id = ?`);
    this.alertsOfStmt = db.prepare(`SELECT id FROM alerts WHERE incident_id = ? ORDER BY first_seen`);
    this.pruneStmt = db.prepare(`DELETE FROM incidents WHERE last_at < ?`);
    this.overlapStmt = db.prepare(`SELECT * FROM incidents WHERE opened_at < ? AND last_at >= ? ORDER BY opened_at, id LIMIT ?`);
  }

  /** Deletes incidents last active before `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }

  /** Stores a new incident; returns it with its id. */
  insert(i: Incident): StoredIncident {
    const r = this.insertStmt.run(toRow(i));
    return { ...i, id: Number(r.lastInsertRowid) };
  }

  update(i: StoredIncident): void {
    this.updateStmt.run({ ...toRow(i), id: i.id });
  }

  /** The device's most recent incident (by key, MAC or IP), if any. */
  latestFor(deviceKey: string, device: { mac?: string | undefined; ip?: string | undefined } = {}): StoredIncident | undefined {
    const r = this.latestStmt.get({ key: deviceKey, ip: device.ip ?? null, mac: device.mac ?? null }) as Row | undefined;
    return r && fromRow(r);
  }

  get(id: number): StoredIncident | undefined {
    const r = this.byIdStmt.get(id) as Row | undefined;
    return r && fromRow(r);
  }

  /** Incidents active since `since`, most severe first, then newest. */
  recent(limit: number, since = 0): StoredIncident[] {
    return (this.recentStmt.all(since, Math.max(1, Math.min(limit, 10_000))) as Row[]).map(fromRow);
  }

  /** Incidents active at some time in [from, to), oldest first (the monthly report). */
  overlapping(from: number, to: number, limit = 1000): StoredIncident[] {
    return (this.overlapStmt.all(to, from, limit) as Row[]).map(fromRow);
  }

  /** Marks an alert as part of an incident. */
  link(alertId: number, incidentId: number): void {
    this.linkStmt.run(incidentId, alertId);
  }

  /** Ids of the alerts grouped into an incident, oldest first. */
  alertIds(incidentId: number): number[] {
    return (this.alertsOfStmt.all(incidentId) as { id: number }[]).map((r) => r.id);
  }
}

function toRow(i: Incident): Omit<Row, 'id'> {
  return {
    device_key: i.deviceKey, device_mac: i.device.mac ?? null, device_ip: i.device.ip ?? null, opened_at: i.openedAt,
    last_at: i.lastAt, kinds: JSON.stringify(i.kinds), stages: JSON.stringify(i.stages), findings: i.findings,
    base_severity: i.baseSeverity, severity: i.severity,
  };
}

function fromRow(r: Row): StoredIncident {
  return {
    id: r.id, deviceKey: r.device_key, device: { mac: r.device_mac ?? undefined, ip: r.device_ip ?? undefined },
    openedAt: r.opened_at, lastAt: r.last_at, kinds: JSON.parse(r.kinds) as string[], stages: JSON.parse(r.stages) as string[],
    findings: r.findings, baseSeverity: r.base_severity as Severity, severity: r.severity as Severity,
  };
}
