// The store and what hangs off it: the repositories, the alert pipeline, the upstream outbox
// and forwarder, upstream reporting, retention and the disk watch. Opened at start; a full
// or failing disk falls back to a store in memory (enforcement and the page go on, loudly).
// start() begins its timers and the link; stop() ends them; close() closes the database.
import { join } from 'node:path';
import { cooldownMsFor, type Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { openDb, readDbCopy, type Db } from '../store/db.js';
import { schemaOf } from './schema.js';
import { AlertsRepo } from '../alerts/alertsRepo.js';
import { OutboxRepo } from '../upstream/outboxRepo.js';
import { IncidentsRepo, type StoredIncident } from '../alerts/incidentsRepo.js';
import { MutesRepo } from '../alerts/mutesRepo.js';
import { AlertPipeline } from '../alerts/pipeline.js';
import type { Alert, Finding } from '../alerts/types.js';
import { withDeviceNames, type NameDevice } from '../alerts/naming.js';
import { alertUpstream } from './alertUpstream.js';
import { UpstreamForwarder } from '../upstream/forwarder.js';
import { OutboxSink } from '../upstream/sink.js';
import { connectorFor, peerText } from '../upstream/connector.js';
import { resolveUpstream } from '../config/upstream.js';
import type { UpstreamMessage, UpstreamStatus } from '../upstream/contract.js';
import type { AlertWords, StaffText } from '../text/staffText.js';
import type { Conditions } from './conditions.js';
import { conditionFinding } from './health.js';
import { readRefusedNote } from './provisioningNote.js';
import type { Feature } from '../feature/contract.js';
import type { Logger } from './log.js';
import { pruneForSpace, scheduleRetention } from './retention.js';
import { releaseReserveToOpen, StorageWatch } from './storage.js';
import { isStorageError } from '../errors/storageError.js';
import { scratchDir } from '../sys/paths.js';
import type { Reporting } from './reporting.js';
import { buildReporting } from './reportingWiring.js';

/** The largest store copied into memory when the disk's cannot be opened for writing. */
const MEMORY_COPY_MAX_BYTES = 64 * 1024 * 1024;
/** How far a store in memory moves the sequence counter past the disk's (OutboxRepo.skipAhead). */
const SEQ_SKIP = 1_000_000;

/** How long a grown finding must be quiet before upstream is told its final figures. */
const GROWTH_QUIET_MS = 10 * 60_000;

export interface AlertStoreDeps {
  stateDir: string;
  config: Config;
  provisioning: Provisioning | null;
  deviceId: string;
  startedAt: number;
  now: () => number;
  log: Logger;
  conditions: Conditions;
  text: StaffText;
  features: readonly Feature[];
  /** StorageWatchOptions.onReadOnly. */
  onReadOnly?: ((e: unknown) => void) | undefined;
}

export class AlertStore {
  readonly alerts: AlertsRepo;
  readonly outbox: OutboxRepo;
  readonly incidents: IncidentsRepo;
  readonly mutes: MutesRepo;
  readonly pipeline: AlertPipeline;
  /** Where every upstream message goes (alerts, conditions, heartbeats, statistics). */
  readonly sink: OutboxSink;
  readonly storage: StorageWatch;
  /** Heartbeat, daily statistics, condition failures/recoveries, the silence rule (app/reporting.ts). */
  readonly reporting: Reporting;
  /** The link to the provisioned collector; null when none is provisioned. */
  readonly forwarder: UpstreamForwarder | null;
  private retention: { stop(): void } | null = null;
  private settle: NodeJS.Timeout | null = null;

  /** Opens utm.db in the state dir, or a store in memory when the disk fails (storage errors only; others throw). */
  static open(d: AlertStoreDeps): AlertStore {
    const file = join(d.stateDir, 'utm.db');
    const schema = schemaOf(d.features);
    let failure: unknown;
    try {
      return new AlertStore(d, openDb(file, schema), null);
    } catch (e) {
      if (!isStorageError(e)) throw e;
      failure = e;
    }
    // A full disk (after a clean stop SQLite needs room even to read: SQLITE_IOERR_SHMSIZE):
    // the reserve makes that room, and the store stays on disk (said once started)
    if (releaseReserveToOpen(d.stateDir, d.log)) {
      try {
        return new AlertStore(d, openDb(file, schema), null, failure);
      } catch (e) {
        if (!isStorageError(e)) throw e;
        failure = e;
      }
    }
    // A full or failing disk at start (e.g. a migration needing space) must not keep utmd
    // down: enforce and serve the page with a store in memory, and say so loudly.
    // A copy of the disk's store when it can be read (a read-only flash, a full disk): the
    // alerts, devices and unsent messages carry on, and the sequence numbers go on past the
    // disk's (SEQ_SKIP ahead: after a repair the disk's store knows nothing of those given
    // here). Else an empty one, whose numbers start again at 1.
    const copy = readDbCopy(file, MEMORY_COPY_MAX_BYTES);
    d.log.error(`the store cannot be opened on disk; running with ${copy ? 'a copy of it' : 'an empty one'} in memory until utmd restarts`, failure);
    const db = openDb(copy ?? ':memory:', schema);
    if (copy) new OutboxRepo(db).skipAhead(SEQ_SKIP);
    return new AlertStore(d, db, failure);
  }

  /** `openFailure`: the disk's store could not be opened (this one is in memory); `openedOnReserve`:
   *  it could, once the reserve was given up (app/storage.ts releaseReserveToOpen). */
  private constructor(private readonly d: AlertStoreDeps, readonly db: Db, private readonly openFailure: unknown, private readonly openedOnReserve: unknown = null) {
    this.alerts = new AlertsRepo(db);
    this.outbox = new OutboxRepo(db);
    this.incidents = new IncidentsRepo(db);
    this.mutes = new MutesRepo(db, d.now);
    const repos = { alerts: this.alerts, outbox: this.outbox, incidents: this.incidents, mutes: this.mutes };
    this.storage = new StorageWatch({
      stateDir: d.stateDir, runtimeDir: scratchDir(d.stateDir), minFreeMb: d.config.storage.minFreeMb, reserveMb: d.config.storage.reserveMb, checkMs: d.config.storage.checkSeconds * 1000,
      conditions: d.conditions, log: d.log, reraise: (f) => this.raise(f), onReadOnly: d.onReadOnly,
      prune: () => pruneForSpace(repos, d.now(), () => void db.pragma('wal_checkpoint(TRUNCATE)')),
    });
    const q = d.config.upstreamQueue;
    this.sink = new OutboxSink({ outbox: this.outbox, deviceId: d.deviceId, now: d.now, maxMessages: q.maxMessages, maxBytes: q.maxBytes, language: d.provisioning?.language });
    this.pipeline = new AlertPipeline({
      db, alerts: this.alerts, upstream: this.sink, now: d.now,
      cooldownMs: cooldownMsFor(d.config.alerts),
      toUpstream: (a, i) => this.toUpstream(a, i),
      incidents: this.incidents, incidentWindowMs: 6 * 3_600_000, suppressWindowMs: 24 * 3_600_000,
      mutes: () => this.mutes.list(),
    });
    // Reporting listens to the conditions from here on: a failure at start is a failure too.
    this.reporting = buildReporting({
      db, sink: this.sink, status: () => this.forwarder?.status() ?? null, conditions: d.conditions, alerts: this.alerts,
      config: d.config.reporting, now: d.now, log: d.log, lang: this.lang, text: d.text, startedAt: d.startedAt,
      stateDir: d.stateDir, features: d.features, storageFailed: (e, where) => this.storage.absorb(e, where),
    });
    const target = d.config.upstream ?? d.provisioning?.upstream;
    const u = target ? resolveUpstream(target) : null;
    this.forwarder = u && new UpstreamForwarder({
      outbox: this.outbox, sink: this.sink, connect: connectorFor(u, d.now), transport: u.transport, peer: peerText(u), now: d.now,
      backoffBaseMs: q.backoffBaseMs, backoffMaxMs: q.backoffMaxMs,
      // The 'upstream' condition follows the silence rule (app/reporting.ts), not each link change.
      onHealth: (ok, detail) => d.log.info(`upstream ${u.transport} ${peerText(u)}: ${ok ? 'connected' : 'down'}: ${detail}`),
      onStoreError: (e) => (isStorageError(e) ? this.storage.noteFailure(e, 'upstream outbox') : d.log.error('upstream outbox failed', e)),
    });
  }

  private get lang(): 'ja' | 'en' {
    return this.d.provisioning?.language ?? 'ja';
  }

  /** Retention, the disk watch and the upstream link; conditions going bad become alerts. */
  start(): void {
    const { d } = this;
    this.retention = scheduleRetention({ alerts: this.alerts, outbox: this.outbox, incidents: this.incidents, mutes: this.mutes }, d.now, d.log);
    this.storage.start();
    // A finding that grew since upstream last heard of it is told its final figures once quiet.
    this.settle = setInterval(() => {
      try {
        this.pipeline.tellSettled(GROWTH_QUIET_MS);
      } catch (e) {
        if (isStorageError(e)) this.storage.noteFailure(e, 'alert growth');
        else d.log.error('telling upstream of grown alerts failed', e);
      }
    }, 60_000);
    this.settle.unref();
    if (this.forwarder) this.forwarder.start();
    else d.conditions.set('provisioning', false, 'no collector provisioned; alerts are kept on the box');
    // First boot refused the provider's bundle (image/firstboot): show the exact reason.
    const refused = readRefusedNote(d.stateDir);
    if (refused !== null) d.conditions.set('provisioning', false, `provisioning bundle refused at first boot: ${refused}`);
    // Fail loud: a condition going bad becomes an alert (stored, shown, sent upstream).
    d.conditions.onChange((c) => {
      const f = conditionFinding(c, this.outbox.pending().count);
      if (f) this.raise(f);
    });
    // after the listener above: a store in memory since start is an alert too (it was set
    // before the listener, and so never alerted, until 2026-12-03)
    if (this.openFailure) this.storage.storeInMemory(this.openFailure);
    if (this.openedOnReserve) this.storage.openedOnReserve(this.openedOnReserve);
    // what the process before this one could not store (a full disk, the flash turned
    // read-only before it restarted itself): kept in the runtime dir, stored now
    this.storage.restoreHeld();
  }

  /** Ends the upstream link, the disk watch and retention (the reporting stops on its own turn). */
  async stop(): Promise<void> {
    await this.forwarder?.stop();
    await this.storage.stop();
    if (this.settle) clearInterval(this.settle);
    this.settle = null;
    this.retention?.stop();
    this.retention = null;
  }

  /** Closes the database (after stop() and after every user of the store stopped). */
  close(): void {
    this.db.close();
  }

  /** Stores a finding as an alert (or a repeat of one) and wakes the forwarder. Never throws:
   *  a finding that cannot be stored (disk full) is held and stored when writes work again. */
  raise(f: Finding): void {
    this.reporting.onFinding(f);
    try {
      this.pipeline.ingest(f);
    } catch (e) {
      if (isStorageError(e)) {
        this.storage.noteFailure(e, `alert ${f.kind}`);
        this.storage.hold(f);
      } else this.d.log.error(`finding ${f.kind} could not be stored`, e);
    }
  }

  /** An alert as the office was told it (page and upstream language), through the catalog. */
  explain(a: Alert): AlertWords {
    return this.d.text.explain(withDeviceNames(a, this.nameDevice), this.lang);
  }

  /** How staff know an office device, from the first feature that knows it (the inventory). */
  readonly nameDevice: NameDevice = (dev) => {
    for (const f of this.d.features) {
      const n = f.nameDevice?.(dev);
      if (n) return n;
    }
    return undefined;
  };

  /** The upstream message: structured facts plus the plain-language text. */
  private toUpstream(a: Alert, incident?: StoredIncident): UpstreamMessage {
    return alertUpstream(a, incident, (x) => this.d.text.explain(x, this.lang), this.nameDevice);
  }

  /** The upstream link and outbox (UpstreamStatus); without a collector, the outbox alone. */
  upstreamStatus(): UpstreamStatus {
    if (this.forwarder) return this.forwarder.status();
    const ob = this.outbox;
    const p = ob.pending();
    return {
      transport: null, peer: null, peerCertSha256: null, connected: false, connectedSince: null,
      lastConfirmedSeq: ob.lastConfirmedSeq(), lastConfirmedAt: ob.lastConfirmedAt(), queueDepth: p.count, queueBytes: p.bytes,
      oldestWaitingAt: p.oldest, overflowLost: ob.losses('total').byClass, lastError: 'no collector provisioned', nextSeq: ob.nextSeq(),
    };
  }

  /** The store's part of `utmctl status`. */
  status(): { alerts: Record<string, unknown>; upstream: Record<string, unknown>; storage: unknown } {
    return {
      alerts: { total: this.alerts.count(), pipeline: this.pipeline.counts, mutes: this.mutes.list().length },
      upstream: { ...this.upstreamStatus(), pending: this.outbox.pending(), counters: this.forwarder?.counters ?? null },
      storage: this.storage.status(),
    };
  }
}
