// Repository of the device inventory: device records, the audit log and the feature's facts
// (learning-period start). Statements are prepared once; writes come in batches, one
// transaction each. Rows read back are validated: a record that no longer fits the schema is
// skipped and counted, never trusted.
import type { Db } from '../store/db.js';
import { AuditEntrySchema, DeviceSchema, type AuditEntry, type Device } from './model.js';

interface DeviceRow { mac: string; record: string }
interface AuditRow { at: number; actor: string; action: string; mac: string; from_status: string | null; to_status: string | null; detail: string | null }

/** How many audit rows the store keeps (oldest removed first). */
export const AUDIT_KEEP = 20_000;

export interface LoadedInventory {
  devices: Device[];
  audit: AuditEntry[];
  /** Rows that failed validation and were ignored. */
  invalid: number;
}

export class DevicesRepo {
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly allStmt;
  private readonly auditInsertStmt;
  private readonly auditRecentStmt;
  private readonly auditPruneStmt;
  private readonly metaGetStmt;
  private readonly metaSetStmt;
  private readonly metaMoveStmt;

  constructor(private readonly db: Db) {
    this.upsertStmt = db.prepare(`INSERT INTO devices (mac, status, first_seen, last_seen, record) VALUES (@mac, @status, @first_seen, @last_seen, @record)
      ON CONFLICT (mac) DO UPDATE SET status = excluded.status, first_seen = excluded.first_seen, last_seen = excluded.last_seen, record = excluded.record`);
    this.deleteStmt = db.prepare('DELETE FROM devices WHERE mac = ?');
    this.allStmt = db.prepare<[], DeviceRow>('SELECT mac, record FROM devices');
    this.auditInsertStmt = db.prepare(`INSERT INTO device_audit (at, actor, action, mac, from_status, to_status, detail)
      VALUES (@at, @actor, @action, @mac, @from_status, @to_status, @detail)`);
    this.auditRecentStmt = db.prepare<[number], AuditRow>('SELECT at, actor, action, mac, from_status, to_status, detail FROM device_audit ORDER BY id DESC LIMIT ?');
    this.auditPruneStmt = db.prepare('DELETE FROM device_audit WHERE id <= (SELECT max(id) FROM device_audit) - ?');
    this.metaGetStmt = db.prepare<[string], { value: string }>('SELECT value FROM device_meta WHERE key = ?');
    this.metaSetStmt = db.prepare('INSERT INTO device_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
    this.metaMoveStmt = db.prepare('INSERT INTO device_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  /** Reads every device and the newest `auditMax` audit entries (oldest first). Never throws for bad rows. */
  load(auditMax: number): LoadedInventory {
    let invalid = 0;
    const devices: Device[] = [];
    for (const row of this.allStmt.all()) {
      const r = DeviceSchema.safeParse(safeJson(row.record));
      if (r.success && r.data.mac === row.mac) devices.push(r.data);
      else invalid++;
    }
    const audit: AuditEntry[] = [];
    for (const row of this.auditRecentStmt.all(auditMax).reverse()) {
      const r = AuditEntrySchema.safeParse({ at: row.at, actor: row.actor, action: row.action, mac: row.mac, from: row.from_status, to: row.to_status, ...(row.detail === null ? {} : { detail: row.detail }) });
      if (r.success) audit.push(r.data);
      else invalid++;
    }
    return { devices, audit, invalid };
  }

  /** Moves the learning period's start (the wall clock was set while it ran: learningClock.ts). */
  moveLearningStart(at: number): void {
    this.metaMoveStmt.run('learning_start', String(at));
  }

  /** The learning period's start, stored once at first start: returns the stored value,
   *  storing `candidate` if there was none. */
  learningStart(candidate: number): number {
    this.metaSetStmt.run('learning_start', String(candidate));
    const row = this.metaGetStmt.get('learning_start');
    const v = Number(row?.value);
    return Number.isFinite(v) ? v : candidate;
  }

  /** Writes changed devices, removes deleted ones and appends audit entries, in one transaction. */
  write(changed: Iterable<Device>, deleted: Iterable<string>, audit: readonly AuditEntry[]): void {
    this.db.transaction(() => {
      for (const d of changed) {
        this.upsertStmt.run({ mac: d.mac, status: d.status, first_seen: d.firstSeen, last_seen: d.lastSeen, record: JSON.stringify(d) });
      }
      for (const mac of deleted) this.deleteStmt.run(mac);
      for (const e of audit) {
        this.auditInsertStmt.run({ at: e.at, actor: e.actor, action: e.action, mac: e.mac, from_status: e.from, to_status: e.to, detail: e.detail ?? null });
      }
      if (audit.length > 0) this.auditPruneStmt.run(AUDIT_KEEP);
    })();
  }

  /** The newest `limit` audit entries, newest first. */
  recentAudit(limit: number): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (const row of this.auditRecentStmt.all(limit)) {
      const r = AuditEntrySchema.safeParse({ at: row.at, actor: row.actor, action: row.action, mac: row.mac, from: row.from_status, to: row.to_status, ...(row.detail === null ? {} : { detail: row.detail }) });
      if (r.success) out.push(r.data);
    }
    return out;
  }
}

function safeJson(text: string): unknown {
  try {
    const v: unknown = JSON.parse(text);
    return v;
  } catch {
    return undefined; // a corrupt row: the caller counts it as invalid
  }
}
