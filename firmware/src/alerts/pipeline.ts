// The alert pipeline: mute → blocked-suppression → dedup/cooldown → incident grouping →
// upstream. A Finding becomes a new stored Alert, or updates the alert with the same kind and
// key seen within the cooldown. Findings about a device are grouped into incidents; upstream
// gets one message when an incident opens and one when it escalates (findings without a device
// still get one message per new alert). Store and outbox change in one transaction (the sink's
// enqueue is synchronous), so an alert is never stored without its numbered upstream message.
import type { AlertsRepo } from './alertsRepo.js';
import type { IncidentsRepo, StoredIncident } from './incidentsRepo.js';
import type { Db } from '../store/db.js';
import { assignIncident, incidentDeviceKey } from './incidents.js';
import { findMute, suppressBlocked, type Mute } from './mutes.js';
import { grewEnough, growParams, sizeOf } from './grow.js';
import type { Alert, Finding, Severity } from './types.js';
import { networkKeyOf } from '../net/ipText.js';

/** Where the pipeline's messages go (upstream/sink.ts OutboxSink): numbered and committed
 *  synchronously, inside the ingest transaction. `M` is the message (upstream/contract.ts);
 *  the pipeline only hands it on, so alerts/ does not depend on upstream/. */
export interface MessageSink<M> {
  enqueue(m: M): number;
}

export interface PipelineDeps<M> {
  db: Db;
  alerts: AlertsRepo;
  /** Numbers and commits upstream messages (inside the ingest transaction). */
  upstream: MessageSink<M>;
  /** Cooldown for an alert kind in ms. */
  cooldownMs: (kind: string) => number;
  /** The upstream message for a new alert, or for the alert that opened, escalated or added a new kind to `incident`. */
  toUpstream: (alert: Alert, incident?: StoredIncident) => M;
  now: () => number;
  /** Called after a new alert has been stored and queued. */
  onNew?: ((alert: Alert) => void) | undefined;
  /** Incident store; without it every new alert goes upstream on its own. */
  incidents?: IncidentsRepo | undefined;
  /** Findings about one device further apart than this (event time) open a new incident. Default 6 h. */
  incidentWindowMs?: number | undefined;
  /** Active mutes (cached by the caller; consulted for every finding). */
  mutes?: (() => readonly Mute[]) | undefined;
  /** How far back a blocked repeat with nothing new is folded into its earlier alert (after the
   *  cooldown). Unset: no folding beyond the cooldown. */
  suppressWindowMs?: number | undefined;
}

export interface IngestResult {
  /** The stored alert; undefined when the finding was muted. */
  alert: Alert | undefined;
  isNew: boolean;
  muted?: Mute | undefined;
  incident?: StoredIncident | undefined;
  /** True when this finding made upstream hear about its incident (opened or escalated). */
  upstream?: boolean | undefined;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, danger: 2 };
const HOUR = 3_600_000;

export class AlertPipeline<M = unknown> {
  readonly counts = { findings: 0, created: 0, updated: 0, muted: 0, suppressed: 0, incidentsOpened: 0, incidentsEscalated: 0, grown: 0, uncorroborated: 0, restated: 0 };
  private readonly ingestTx;

  constructor(private readonly d: PipelineDeps<M>) {
    this.ingestTx = d.db.transaction((f: Finding): IngestResult => this.ingestNow(f));
  }

  /** Stores or merges one finding. Throws only on database errors. */
  ingest(f: Finding): IngestResult {
    this.counts.findings++;
    const muted = this.d.mutes ? findMute(this.d.mutes(), f, this.d.now()) : undefined;
    // A correction of an alert already shown always applies: a mute must not keep a wrong one standing.
    if (muted && (f.replaces === undefined || this.replaced(f) === undefined)) {
      this.counts.muted++;
      return { alert: undefined, isNew: false, muted };
    }
    if (f.corroborating === true && !this.inOpenIncident(f)) {
      this.counts.uncorroborated++;
      return { alert: undefined, isNew: false };
    }
    const r = this.ingestTx(f);
    if (r.isNew && r.alert) this.d.onNew?.(r.alert);
    return r;
  }

  private ingestNow(f: Finding): IngestResult {
    const count = Math.max(1, f.count ?? 1);
    if (f.replaces !== undefined) {
      const wrong = this.replaced(f);
      if (wrong) return this.restate(wrong, f);
    }
    let prev = this.d.alerts.findActive(f.kind, f.dedupKey, f.at - this.d.cooldownMs(f.kind));
    if (!prev && f.action === 'blocked' && this.d.suppressWindowMs !== undefined) {
      // Policy already blocks it: a repeat that teaches nothing new folds into the earlier alert.
      const older = this.d.alerts.findActive(f.kind, f.dedupKey, f.at - this.d.suppressWindowMs);
      if (older && suppressBlocked(f, older)) {
        prev = older;
        this.counts.suppressed++;
      }
    }
    if (prev) {
      const severity = RANK[f.severity] > RANK[prev.severity] ? f.severity : prev.severity;
      // The finding grew: its params and evidence are the current story, not the first sighting.
      const params = growParams(prev.params, f.params);
      const evidence = { ...prev.evidence, ...f.evidence };
      this.d.alerts.bump(prev.id, { count, lastSeen: f.at, severity, params, evidence, mac: f.device?.mac });
      this.counts.updated++;
      const alert: Alert = { ...prev, count: prev.count + count, lastSeen: Math.max(prev.lastSeen, f.at), severity, params, evidence };
      // A repeat that raises the severity may escalate its incident.
      const inc = RANK[severity] > RANK[prev.severity] ? this.group(alert, f) : undefined;
      if (!inc?.upstream) this.tellGrowth(alert, f);
      return { alert, isNew: false, ...inc };
    }
    const fresh: Omit<Alert, 'id'> = {
      kind: f.kind, severity: f.severity, dedupKey: f.dedupKey, device: f.device ?? {}, remote: f.remote ?? null,
      direction: f.direction ?? null, action: f.action, count, firstSeen: f.at, lastSeen: f.at, params: f.params,
      evidence: f.evidence, incidentId: null,
    };
    const id = this.d.alerts.insert(fresh);
    const alert: Alert = { ...fresh, id };
    this.counts.created++;
    const inc = this.group(alert, f);
    if (!inc && f.upstream !== false) this.send(alert);
    else if (!inc?.upstream) this.noteSize(alert); // told as part of its incident: growth counts from here
    return { alert: inc ? { ...alert, incidentId: inc.incident.id } : alert, isNew: true, ...inc };
  }

  /** The latest alert, of any age, that `f` corrects (same key, one of `f.replaces`' kinds). */
  private replaced(f: Finding): Alert | undefined {
    let found: Alert | undefined;
    for (const kind of f.replaces ?? []) {
      const a = this.d.alerts.findActive(kind, f.dedupKey, 0);
      if (a && (!found || a.lastSeen > found.lastSeen)) found = a;
    }
    return found;
  }

  /** A finding that corrects an earlier alert (a device reclassified): the same alert now says
   *  the corrected kind and facts, on the page and in its incident, and upstream hears the
   *  correction at once (a wrong alert left standing costs a phone call). */
  private restate(wrong: Alert, f: Finding): IngestResult {
    const evidence = { ...f.evidence, replaces: wrong.kind };
    this.d.alerts.restate(wrong.id, { kind: f.kind, severity: f.severity, lastSeen: f.at, params: f.params, evidence });
    this.counts.restated++;
    const alert: Alert = { ...wrong, kind: f.kind, severity: f.severity, lastSeen: Math.max(wrong.lastSeen, f.at), params: f.params, evidence };
    let incident = this.incidentOf(alert);
    if (incident && this.d.incidents && incident.kinds.includes(wrong.kind)) {
      const kinds = [...new Set(incident.kinds.map((k) => (k === wrong.kind ? f.kind : k)))];
      incident = { ...incident, kinds };
      this.d.incidents.update(incident);
    }
    if (f.upstream !== false) this.send(alert, incident);
    return { alert, isNew: false, incident, upstream: f.upstream !== false };
  }

  /** Puts the alert into its device's incident; queues upstream when the incident opens, escalates
   *  or gains a new kind of finding (the monitoring centre hears each new chapter of the story once).
   *  Undefined when there is no incident store or the finding names no device. */
  private group(alert: Alert, f: Finding): { incident: StoredIncident; upstream: boolean } | undefined {
    const repo = this.d.incidents;
    const key = incidentDeviceKey(f.device);
    if (!repo || key === undefined) return undefined;
    const found = repo.latestFor(key, f.device ?? {});
    // The same device may be named by MAC in one finding and by IP in another: group them.
    const current = found && { ...found, deviceKey: key };
    const decision = assignIncident(current, { ...f, severity: alert.severity }, { windowMs: this.d.incidentWindowMs ?? 6 * HOUR });
    if (decision.action === 'none') return undefined;
    let stored: StoredIncident;
    let upstream: boolean;
    if (decision.action === 'open' || !current) {
      stored = repo.insert(decision.incident);
      upstream = true;
      this.counts.incidentsOpened++;
    } else {
      const d = decision.incident.device;
      stored = { ...decision.incident, deviceKey: d.mac ?? d.ip ?? key, id: current.id };
      repo.update(stored);
      upstream = decision.escalated || decision.newKind;
      if (decision.escalated) this.counts.incidentsEscalated++;
    }
    if (alert.incidentId !== stored.id) repo.link(alert.id, stored.id);
    const linked = { ...alert, incidentId: stored.id };
    if (upstream && f.upstream !== false) this.send(linked, stored);
    return { incident: stored, upstream };
  }

  /** Queues the upstream message for `alert` and remembers the size it told. */
  private send(alert: Alert, incident?: StoredIncident): void {
    this.d.upstream.enqueue(this.d.toUpstream(alert, incident));
    this.noteSize(alert);
  }

  private noteSize(alert: Alert): void {
    const size = sizeOf(alert.params);
    if (Object.keys(size).length > 0) this.d.alerts.setTold(alert.id, size);
  }

  /** A finding that has at least doubled in size since upstream last heard of it is marked to be
   *  told again (tellSettled), so the monitoring centre's figures do not stay frozen, without a
   *  message at every new server. */
  private tellGrowth(alert: Alert, f: Finding): void {
    if (f.upstream === false) return;
    if (!grewEnough(this.d.alerts.told(alert.id), sizeOf(alert.params))) return;
    this.d.alerts.markGrown(alert.id, this.d.now());
  }

  /** Whether the finding's device has an incident still open at its time that holds another kind
   *  of alert about the finding's destination network (/24, /48): a weak finding adds to the story
   *  of that destination, never to an unrelated one (a long HTTPS connection to a chat server says
   *  nothing about an upload elsewhere). */
  private inOpenIncident(f: Finding): boolean {
    const key = incidentDeviceKey(f.device);
    if (!this.d.incidents || key === undefined || !f.remote) return false;
    const i = this.d.incidents.latestFor(key, f.device ?? {});
    // Opened by something else: weak findings of one kind do not corroborate each other.
    if (i === undefined || f.at - i.lastAt > (this.d.incidentWindowMs ?? 6 * HOUR) || !i.kinds.some((k) => k !== f.kind)) return false;
    const net = networkKeyOf(f.remote.ip) ?? f.remote.ip;
    return this.d.incidents.alertIds(i.id).some((id) => {
      const a = this.d.alerts.get(id);
      return a !== undefined && a.kind !== f.kind && a.remote !== null && (networkKeyOf(a.remote.ip) ?? a.remote.ip) === net;
    });
  }

  private incidentOf(alert: Alert): StoredIncident | undefined {
    return alert.incidentId !== null ? this.d.incidents?.get(alert.incidentId) : undefined;
  }

  /** Tells upstream the current figures of findings that have grown enough since it last heard of
   *  them, once they have been quiet (no new finding) for `quietMs`, or have been growing for
   *  `maxWaitMs`. Called by the daemon's timer; returns how many were told. */
  tellSettled(quietMs: number, maxWaitMs: number = 60 * 60_000): number {
    const tx = this.d.db.transaction((): number => {
      const now = this.d.now();
      const due = this.d.alerts.grownDue(now - quietMs, now - maxWaitMs);
      for (const a of due) this.send(a, this.incidentOf(a));
      return due.length;
    });
    const n = tx();
    this.counts.grown += n;
    return n;
  }
}

