// The composition root of utmd: builds every module from config and passes dependencies
// explicitly. start() restores the last-good ruleset before anything slow happens.
import { join } from 'node:path';
import { cooldownMsFor, type Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { NftDriver, NftError } from '../nft/driver.js';
import type { RulesetBackend } from '../nft/backend.js';
import { DYNAMIC_SETS, renderRuleset } from '../nft/render.js';
import { ApplyQueue } from './applyQueue.js';
import type { BasePolicy, Policy } from '../nft/policy.js';
import type { NftDocument } from '../nft/json.js';
import type { NetworkPlan } from '../policy/network.js';
import { NetworkPlanner } from './networkPlanner.js';
import { buildPolicy } from '../policy/build.js';
import { openDb, type Db } from '../store/db.js';
import { AlertsRepo } from '../alerts/alertsRepo.js';
import { OutboxRepo } from '../upstream/outboxRepo.js';
import { IncidentsRepo, type StoredIncident } from '../alerts/incidentsRepo.js';
import { MutesRepo } from '../alerts/mutesRepo.js';
import { AlertPipeline } from '../alerts/pipeline.js';
import type { Alert, Finding } from '../alerts/types.js';
import type { FeatureViews, WebServer } from '../../../webui/src/index.js';
import type { AlertWords, StaffText } from '../text/staffText.js';
import { alertToSyslog } from '../upstream/message.js';
import { loadCredential, type Credential } from '../auth/credential.js';
import { conditionFinding } from './health.js';
import { incidentAsAlert } from '../alerts/incidentText.js';
import { LAST_GOOD_FILE } from '../sys/paths.js';
import { Sensing } from './sensing.js';
import { pruneForSpace, scheduleRetention } from './retention.js';
import { isStorageError, StorageWatch } from './storage.js';
import { loadSessionSecret, startWeb, webDeps } from './web.js';
import { UpstreamForwarder } from '../upstream/forwarder.js';
import { OutboxSink } from '../upstream/sink.js';
import { connectorFor, peerText } from '../upstream/connector.js';
import { resolveUpstream } from '../config/upstream.js';
import type { UpstreamMessage, UpstreamStatus } from '../upstream/contract.js';
import { ControlServer } from '../control/server.js';
import { SOCKET_NAME } from '../control/protocol.js';
import { LIVENESS_SOCKET_NAME } from '../control/liveness.js';
import { Conditions } from './conditions.js';
import { readRefusedNote } from './provisioningNote.js';
import { setSysctls } from './sysctls.js';
import { prepareStateDir } from './stateDir.js';
import { CHILDREN_DIR } from '../sys/childRecords.js';
import type { Logger } from './log.js';
import { coreHandlers, type Handlers } from './commands.js';
import type { Feature, FeatureContext } from '../feature/contract.js';
import type { Reporting } from './reporting.js';
import { buildReporting } from './reportingWiring.js';
import { describeRefusal, refusalConditionId, refusalFinding, type Refusal } from '../config/fallback.js';

export interface DaemonOptions {
  stateDir: string;
  config: Config;
  provisioning: Provisioning | null;
  base: BasePolicy;
  log: Logger;
  /** webui/static of the installed package. */
  staticDir: string;
  now?: (() => number) | undefined;
  /** ms the entry point's early restore took; undefined/null: the daemon restores itself. */
  restoredMs?: number | null | undefined;
  /** Capabilities plugged in by the composition (feeds, devices, detectors). */
  features?: Feature[] | undefined;
  /** The features' view models for the page (app/compose.ts). */
  views?: (() => FeatureViews[]) | undefined;
  /** The ruleset backend (default: nft on this box; tests pass a DryRunBackend). */
  ruleset?: RulesetBackend | undefined;
  /** The words for people (message catalog), passed in by the entry point. */
  text: StaffText;
  /** Config or bundle files refused at start (utmd runs on their last-good copies or the defaults). */
  refusals?: Refusal[] | undefined;
}

export interface Timings {
  restoreMs: number | null;
  firstApplyMs: number | null;
}

export class Daemon {
  readonly now: () => number;
  readonly conditions: Conditions;
  readonly ruleset: RulesetBackend;
  readonly startedAt: number;
  readonly timings: Timings = { restoreMs: null, firstApplyMs: null };
  plan: NetworkPlan | null = null;
  policy: Policy | null = null;
  lastApplyError: string | null = null;
  db: Db | null = null;
  alerts: AlertsRepo | null = null;
  outbox: OutboxRepo | null = null;
  /** Where every upstream message goes (alerts, conditions, heartbeats, statistics). */
  upstream: OutboxSink | null = null;
  incidents: IncidentsRepo | null = null;
  mutes: MutesRepo | null = null;
  pipeline: AlertPipeline | null = null;
  forwarder: UpstreamForwarder | null = null;
  /** Heartbeat, daily statistics, condition failures/recoveries, the silence rule (app/reporting.ts). */
  reporting: Reporting | null = null;
  private control: ControlServer | null = null;
  private readonly stoppers: (() => Promise<void> | void)[] = [];
  /** One apply at a time; a request joins one that has not started yet. */
  readonly applyQueue = new ApplyQueue();
  readonly planner: NetworkPlanner;

  constructor(readonly o: DaemonOptions) {
    this.now = o.now ?? Date.now;
    this.startedAt = this.now();
    this.conditions = new Conditions(this.now);
    this.ruleset = o.ruleset ?? new NftDriver({ lastGoodPath: join(o.stateDir, LAST_GOOD_FILE), tableName: o.base.tableName });
    this.planner = new NetworkPlanner({
      config: o.config, now: this.now, log: o.log, conditions: this.conditions, onPlan: (p) => this.replan(p),
      recordDir: join(o.stateDir, CHILDREN_DIR),
    });
  }

  get deviceId(): string {
    return this.o.provisioning?.deviceId ?? 'unprovisioned';
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    // 1. Enforce the last-good ruleset first: the office is protected before anything slow.
    try {
      if (typeof this.o.restoredMs === 'number') this.timings.restoreMs = this.o.restoredMs;
      else if (await this.ruleset.restoreLastGood()) this.timings.restoreMs = performance.now() - t0;
    } catch (e) {
      this.o.log.error('last-good ruleset could not be restored', e);
    }
    // Our own leftovers ended, temporary files removed, 0700/0600 enforced (app/stateDir).
    await prepareStateDir(this.o.stateDir, this.o.log);
    // 2. Store, alerts and upstream; features load their persisted state.
    this.openStore();
    // a refused file: a condition on the page, and an alert naming the fields (page, upstream)
    for (const r of this.o.refusals ?? []) {
      this.conditions.set(refusalConditionId(r), false, describeRefusal(r));
      this.raise(refusalFinding(r, this.now()));
    }
    for (const f of this.features) await f.init?.(this.featureContext(f));
    // 3. Work out the network and apply the full policy; then the sysctls, which exist
    //    only once conntrack and br_netfilter are loaded.
    await this.planAndApply(t0);
    await setSysctls(this.o.config, this.o.log);
    // 4. Sensors: ulogd2 → JSON over loopback UDP → typed events (needs the log rules above).
    //    The features first read what judging the first event needs (neighbour table).
    for (const f of this.features) await f.prepare?.();
    await this.startSensing();
    // 5. Features start their timers and children; then the port watcher, which re-plans
    //    when the evidence about the ports changes; then the technician socket.
    for (const f of this.features) {
      await f.start?.();
      this.stoppers.push(() => f.stop?.());
    }
    this.reporting?.start();
    this.stoppers.push(() => this.reporting?.stop());
    await this.planner.start();
    this.stoppers.push(() => this.planner.stop());
    this.credential = await loadCredential(this.o.stateDir, this.o.provisioning);
    this.control = new ControlServer(join(this.o.stateDir, SOCKET_NAME), this.handlers(), join(this.o.stateDir, LIVENESS_SOCKET_NAME));
    await this.control.start();
    this.stoppers.push(() => this.control?.stop());
    // 6. The page, last: everything it shows exists by now.
    const secret = await loadSessionSecret(this.o.stateDir);
    const views = this.o.views?.() ?? [];
    const web = await startWeb(this, webDeps(this, this.credential, secret, this.o.staticDir), views);
    this.web = web;
    this.stoppers.push(() => web.close());
  }

  credential: Credential | null = null;
  web: WebServer | null = null;

  private async startSensing(): Promise<void> {
    const sensing = new Sensing({
      stateDir: this.o.stateDir, nflogGroup: this.o.config.sensors.nflogGroup,
      now: this.now, conditions: this.conditions, log: this.o.log, features: () => this.features, raise: (f) => this.raise(f),
    });
    this.sensing = sensing;
    this.stoppers.push(() => sensing.stop());
    await sensing.start();
  }

  sensing: Sensing | null = null;

  get features(): Feature[] {
    return this.o.features ?? [];
  }

  /** The feature's scoped capabilities: its own repositories, our sets, the condition port. */
  private featureContext(f: Feature): FeatureContext {
    const d = this.db;
    if (!d) throw new Error('store not open');
    return {
      stateDir: this.o.stateDir, config: this.o.config, provisioning: this.o.provisioning, base: this.o.base,
      log: this.o.log, now: this.now, repos: f.repositories?.(d), ruleset: this.ruleset, conditions: this.conditions, deviceId: this.deviceId,
      plan: () => this.plan,
      raise: (f) => this.raise(f),
      requestApply: () => this.rebuildAndApply(),
    };
  }

  /** Rebuilds the policy from the current plan and features, then applies it (queued). */
  async rebuildAndApply(): Promise<boolean> {
    return this.apply();
  }

  private buildPolicyNow(plan: NetworkPlan): Policy {
    const groups = this.features.flatMap((f) => f.groups?.() ?? []);
    return buildPolicy({
      config: this.o.config, provisioning: this.o.provisioning, base: this.o.base, plan,
      quarantine: this.features.flatMap((f) => f.quarantine?.() ?? []),
      extraGroups: groups.map((g) => g.rules),
      extraAllow: this.features.flatMap((f) => f.allow?.() ?? []),
    });
  }

  async stop(): Promise<void> {
    for (const s of this.stoppers.reverse()) {
      try {
        await s();
      } catch (e) {
        this.o.log.error('stop step failed', e);
      }
    }
    this.stoppers.length = 0;
    this.db?.close();
    this.db = null;
  }

  /** Stores a finding as an alert (or a repeat of one) and wakes the forwarder. Never throws:
   *  a finding that cannot be stored (disk full) is held and stored when writes work again. */
  raise(f: Finding): void {
    this.reporting?.onFinding(f);
    try {
      this.pipeline?.ingest(f);
    } catch (e) {
      if (isStorageError(e) && this.storage) {
        this.storage.noteFailure(e, `alert ${f.kind}`);
        this.storage.hold(f);
      } else this.o.log.error(`finding ${f.kind} could not be stored`, e);
    }
  }

  storage: StorageWatch | null = null;

  /** Renders the current policy without applying it. */
  render(): NftDocument {
    if (!this.policy) throw new Error('no policy yet');
    return renderRuleset(this.policy);
  }

  /** Rebuilds the policy from the plan as it is when the queued run starts, and applies it;
   *  on failure the previous ruleset stays and it is reported. Runs one at a time. */
  apply(): Promise<boolean> {
    return this.applyQueue.request(() => this.applyNow());
  }

  private async applyNow(): Promise<boolean> {
    if (this.plan) this.policy = this.buildPolicyNow(this.plan);
    if (!this.policy) return false;
    try {
      await this.ruleset.apply(renderRuleset(this.policy), DYNAMIC_SETS);
      this.lastApplyError = null;
      this.conditions.set('ruleset', true, 'applied');
      return true;
    } catch (e) {
      this.lastApplyError = e instanceof NftError ? `${e.message}\n${e.stderr}`.trim() : String(e);
      this.o.log.error('ruleset apply failed; previous ruleset stays in force', e);
      this.conditions.set('ruleset', false, this.lastApplyError.slice(0, 300));
      return false;
    }
  }

  private openStore(): void {
    let db: Db;
    let openFailure: unknown = null;
    try {
      db = openDb(join(this.o.stateDir, 'utm.db'));
    } catch (e) {
      // A full or failing disk at start (e.g. a migration needing space) must not keep utmd
      // down: enforce and serve the page with a store in memory, and say so loudly.
      if (!isStorageError(e)) throw e;
      this.o.log.error('the store cannot be opened on disk; running with one in memory until utmd restarts', e);
      db = openDb(':memory:');
      openFailure = e;
    }
    this.db = db;
    this.alerts = new AlertsRepo(db);
    this.outbox = new OutboxRepo(db);
    this.incidents = new IncidentsRepo(db);
    const mutes = new MutesRepo(db, this.now);
    this.mutes = mutes;
    const repos = { alerts: this.alerts, outbox: this.outbox, incidents: this.incidents, mutes };
    const retention = scheduleRetention(repos, this.now, this.o.log);
    this.stoppers.push(() => retention.stop());
    const storage = new StorageWatch({
      stateDir: this.o.stateDir, minFreeMb: this.o.config.storage.minFreeMb, checkMs: this.o.config.storage.checkSeconds * 1000,
      conditions: this.conditions, log: this.o.log, reraise: (f) => this.raise(f),
      prune: () => pruneForSpace(repos, this.now(), () => void db.pragma('wal_checkpoint(TRUNCATE)')),
    });
    this.storage = storage;
    if (openFailure) storage.storeInMemory(openFailure);
    storage.start();
    this.stoppers.push(() => storage.stop());
    const q = this.o.config.upstreamQueue;
    const sink = new OutboxSink({ outbox: this.outbox, deviceId: this.deviceId, now: this.now, maxMessages: q.maxMessages, maxBytes: q.maxBytes, language: this.o.provisioning?.language });
    this.upstream = sink;
    this.pipeline = new AlertPipeline({
      db, alerts: this.alerts, upstream: sink, now: this.now,
      cooldownMs: cooldownMsFor(this.o.config.alerts),
      toUpstream: (a, i) => this.toUpstream(a, i),
      incidents: this.incidents, incidentWindowMs: 6 * 3_600_000, suppressWindowMs: 24 * 3_600_000,
      mutes: () => mutes.list(),
    });
    this.reporting = buildReporting(this, sink, () => this.forwarder?.status() ?? null);
    const target = this.o.config.upstream ?? this.o.provisioning?.upstream;
    if (target) {
      const u = resolveUpstream(target);
      this.forwarder = new UpstreamForwarder({
        outbox: this.outbox, sink, connect: connectorFor(u, this.now), transport: u.transport, peer: peerText(u), now: this.now,
        backoffBaseMs: q.backoffBaseMs, backoffMaxMs: q.backoffMaxMs,
        // The 'upstream' condition follows the silence rule (app/reporting.ts), not each link change.
        onHealth: (ok, detail) => this.o.log.info(`upstream ${u.transport} ${peerText(u)}: ${ok ? 'connected' : 'down'}: ${detail}`),
        onStoreError: (e) => (isStorageError(e) ? this.storage?.noteFailure(e, 'upstream outbox') : this.o.log.error('upstream outbox failed', e)),
      });
      this.forwarder.start();
      this.stoppers.push(() => this.forwarder?.stop());
    } else {
      this.conditions.set('provisioning', false, 'no collector provisioned; alerts are kept on the box');
    }
    // First boot refused the provider's bundle (image/firstboot): show the exact reason.
    const refused = readRefusedNote(this.o.stateDir);
    if (refused !== null) this.conditions.set('provisioning', false, `provisioning bundle refused at first boot: ${refused}`);
    // Fail loud: a condition going bad becomes an alert (stored, shown, sent upstream).
    this.conditions.onChange((c) => {
      const f = conditionFinding(c, this.outbox?.pending().count ?? null);
      if (f) this.raise(f);
    });
  }

  private async planAndApply(t0: number): Promise<void> {
    const plan = await this.planner.first();
    this.plan = plan;
    if (await this.apply()) this.timings.firstApplyMs = performance.now() - t0;
  }

  /** The port roles changed while running: new ruleset, then the features move their services. */
  private async replan(plan: NetworkPlan): Promise<void> {
    this.plan = plan;
    await this.rebuildAndApply();
    for (const f of this.features) {
      try {
        await f.onPlan?.(plan);
      } catch (e) {
        this.o.log.error(`feature ${f.id} could not follow the new network plan`, e);
      }
    }
  }

  /** The upstream message: structured facts plus the plain-language text. */
  private toUpstream(a: Alert, incident?: StoredIncident): UpstreamMessage {
    const p = this.o.provisioning;
    const lang = p?.language ?? 'ja';
    const t = this.o.text.explain(a, lang);
    const head = incident && incident.findings > 1 ? `${this.o.text.explain(incidentAsAlert(incident), lang).title} ` : '';
    return alertToSyslog(a, { text: `${head}${t.title} ${t.what} ${t.did} ${t.todo}`, incident });
  }

  /** An alert as the office was told it (page and upstream language), through the catalog. */
  explain(a: Alert): AlertWords {
    return this.o.text.explain(a, this.o.provisioning?.language ?? 'ja');
  }

  private handlers(): Handlers {
    return Object.assign({}, coreHandlers(this), ...this.features.map((f) => f.handlers?.() ?? {})) as Handlers;
  }

  /** The upstream link and outbox (UpstreamStatus); without a collector, the outbox alone. */
  upstreamStatus(): UpstreamStatus | null {
    if (this.forwarder) return this.forwarder.status();
    const ob = this.outbox;
    if (!ob) return null;
    const p = ob.pending();
    return {
      transport: null, peer: null, peerCertSha256: null, connected: false, connectedSince: null,
      lastConfirmedSeq: ob.lastConfirmedSeq(), lastConfirmedAt: ob.lastConfirmedAt(), queueDepth: p.count, queueBytes: p.bytes,
      oldestWaitingAt: p.oldest, overflowLost: ob.losses('total').byClass, lastError: 'no collector provisioned', nextSeq: ob.nextSeq(),
    };
  }

  /** What `utmctl status` shows. */
  status(): Record<string, unknown> {
    return {
      deviceId: this.deviceId,
      startedAt: this.startedAt,
      uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000),
      mode: this.plan?.mode ?? null,
      interfaces: this.plan?.ifaces ?? null,
      ports: this.planner.status(),
      lanPrefixes: this.plan?.lanPrefixes ?? [],
      conditions: this.conditions.list(),
      timings: this.timings,
      ruleset: { lastApplyError: this.lastApplyError },
      alerts: { total: this.alerts?.count() ?? 0, pipeline: this.pipeline?.counts ?? null, mutes: this.mutes?.list().length ?? 0 },
      upstream: { ...this.upstreamStatus(), pending: this.outbox?.pending() ?? null, counters: this.forwarder?.counters ?? null },
      memory: { rssBytes: process.memoryUsage().rss },
      sensors: this.sensing?.status() ?? null,
      control: { inProgress: (this.control?.inProgress() ?? []).filter((c) => c.cmd !== 'status') },
      page: this.web?.connections() ?? null,
      storage: this.storage?.status() ?? null,
      features: Object.fromEntries(this.features.map((f) => [f.id, f.status?.() ?? {}])),
    };
  }
}
