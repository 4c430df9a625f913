// The alert pipeline: a Finding becomes a new stored Alert, or updates the alert with the
// same kind and key seen within the cooldown. Each new alert is queued for upstream in the
// same transaction, so an alert is never stored without its outbox message.
import type { AlertsRepo } from '../store/alertsRepo.js';
import type { OutboxRepo } from '../store/outboxRepo.js';
import type { Db } from '../store/db.js';
import type { Alert, Finding, Severity } from './types.js';

export interface PipelineDeps {
  db: Db;
  alerts: AlertsRepo;
  outbox: OutboxRepo;
  /** Cooldown for an alert kind in ms. */
  cooldownMs: (kind: string) => number;
  /** The upstream message for a new alert. */
  toUpstream: (alert: Alert) => Buffer;
  now: () => number;
  /** Called after a new alert has been stored and queued. */
  onNew?: ((alert: Alert) => void) | undefined;
}

export interface IngestResult {
  alert: Alert;
  isNew: boolean;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, danger: 2 };

export class AlertPipeline {
  readonly counts = { findings: 0, created: 0, updated: 0 };
  private readonly ingestTx;

  constructor(private readonly d: PipelineDeps) {
    this.ingestTx = d.db.transaction((f: Finding): IngestResult => this.ingestNow(f));
  }

  /** Stores or merges one finding. Throws only on database errors. */
  ingest(f: Finding): IngestResult {
    this.counts.findings++;
    const r = this.ingestTx(f);
    if (r.isNew) this.d.onNew?.(r.alert);
    return r;
  }

  private ingestNow(f: Finding): IngestResult {
    const count = Math.max(1, f.count ?? 1);
    const prev = this.d.alerts.findActive(f.kind, f.dedupKey, f.at - this.d.cooldownMs(f.kind));
    if (prev) {
      const severity = RANK[f.severity] > RANK[prev.severity] ? f.severity : prev.severity;
      this.d.alerts.bump(prev.id, { count, lastSeen: f.at, severity, evidence: { ...prev.evidence, ...f.evidence }, mac: f.device?.mac });
      this.counts.updated++;
      return { alert: { ...prev, count: prev.count + count, lastSeen: Math.max(prev.lastSeen, f.at), severity }, isNew: false };
    }
    const fresh: Omit<Alert, 'id'> = {
      kind: f.kind, severity: f.severity, dedupKey: f.dedupKey, device: f.device ?? {}, remote: f.remote ?? null,
      direction: f.direction ?? null, action: f.action, count, firstSeen: f.at, lastSeen: f.at, params: f.params,
      evidence: f.evidence, incidentId: null,
    };
    const id = this.d.alerts.insert(fresh);
    const alert: Alert = { ...fresh, id };
    this.d.outbox.add(id, this.d.toUpstream(alert), this.d.now());
    this.counts.created++;
    return { alert, isNew: true };
  }
}
