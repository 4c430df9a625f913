// The composition root of utmd: builds every module from config and passes dependencies
// explicitly. start() restores the last-good ruleset before anything slow happens.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cooldownMsFor, type Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { NftDriver, NftError } from '../nft/driver.js';
import { renderRuleset } from '../nft/render.js';
import type { BasePolicy, Policy } from '../nft/policy.js';
import type { NftDocument } from '../nft/json.js';
import { ensureBridge, readNetworkFacts } from '../net/facts.js';
import { planNetwork, type NetworkPlan } from '../policy/network.js';
import { buildPolicy } from '../policy/build.js';
import { openDb, type Db } from '../store/db.js';
import { AlertsRepo } from '../store/alertsRepo.js';
import { OutboxRepo } from '../store/outboxRepo.js';
import { IncidentsRepo, type StoredIncident } from '../store/incidentsRepo.js';
import { MutesRepo } from '../store/mutesRepo.js';
import { AlertPipeline } from '../alerts/pipeline.js';
import type { Alert, Finding } from '../alerts/types.js';
import { buildCatalog, explainAlert, type AlertCatalog } from '../../../webui/src/index.js';
import { alertToSyslog } from '../upstream/message.js';
import { loadCredential, type Credential } from '../auth/credential.js';
import { conditionFinding } from './health.js';
import { incidentAsAlert } from '../alerts/incidentText.js';
import { LAST_GOOD_FILE } from '../sys/paths.js';
import { Sensing } from './sensing.js';
import { scheduleRetention } from './retention.js';
import { loadSessionSecret, startWeb, webDeps } from './web.js';
import { UpstreamForwarder } from '../upstream/forwarder.js';
import { ControlServer } from '../control/server.js';
import { SOCKET_NAME } from '../control/protocol.js';
import { Conditions } from './conditions.js';
import { readRefusedNote } from './provisioningNote.js';
import { setSysctls } from './sysctls.js';
import type { Logger } from './log.js';
import { coreHandlers, type Handlers } from './commands.js';
import type { Feature, FeatureContext } from './feature.js';

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
}

export interface Timings {
  restoreMs: number | null;
  firstApplyMs: number | null;
}

export class Daemon {
  readonly now: () => number;
  readonly conditions: Conditions;
  readonly nft: NftDriver;
  readonly startedAt: number;
  readonly timings: Timings = { restoreMs: null, firstApplyMs: null };
  readonly catalog: AlertCatalog = buildCatalog();
  plan: NetworkPlan | null = null;
  policy: Policy | null = null;
  lastApplyError: string | null = null;
  db: Db | null = null;
  alerts: AlertsRepo | null = null;
  outbox: OutboxRepo | null = null;
  incidents: IncidentsRepo | null = null;
  mutes: MutesRepo | null = null;
  pipeline: AlertPipeline | null = null;
  forwarder: UpstreamForwarder | null = null;
  private control: ControlServer | null = null;
  private readonly stoppers: (() => Promise<void> | void)[] = [];

  constructor(readonly o: DaemonOptions) {
    this.now = o.now ?? Date.now;
    this.startedAt = this.now();
    this.conditions = new Conditions(this.now);
    this.nft = new NftDriver({ lastGoodPath: join(o.stateDir, LAST_GOOD_FILE), tableName: o.base.tableName });
  }

  get deviceId(): string {
    return this.o.provisioning?.deviceId ?? 'unprovisioned';
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    await mkdir(this.o.stateDir, { recursive: true, mode: 0o700 });
    // 1. Enforce the last-good ruleset first: the office is protected before anything slow.
    try {
      if (typeof this.o.restoredMs === 'number') this.timings.restoreMs = this.o.restoredMs;
      else if (await this.nft.restoreLastGood()) this.timings.restoreMs = performance.now() - t0;
    } catch (e) {
      this.o.log.error('last-good ruleset could not be restored', e);
    }
    // 2. Store, alerts and upstream; features load their persisted state.
    this.openStore();
    for (const f of this.features) await f.init?.(this.featureContext());
    // 3. Work out the network and apply the full policy; then the sysctls, which exist
    //    only once conntrack and br_netfilter are loaded.
    await this.planAndApply(t0);
    await setSysctls(this.o.config, this.o.log);
    // 4. Sensors: ulogd2 → JSON over loopback UDP → typed events (needs the log rules above).
    await this.startSensing();
    // 5. Features start their timers and children; then the technician socket.
    for (const f of this.features) {
      await f.start?.();
      this.stoppers.push(() => f.stop?.());
    }
    this.credential = await loadCredential(this.o.stateDir, this.o.provisioning);
    this.control = new ControlServer(join(this.o.stateDir, SOCKET_NAME), this.handlers());
    await this.control.start();
    this.stoppers.push(() => this.control?.stop());
    // 6. The page, last: everything it shows exists by now.
    const secret = await loadSessionSecret(this.o.stateDir);
    const ext = { sections: this.features.flatMap((f) => f.web?.().sections ?? []), actions: this.features.flatMap((f) => f.web?.().actions ?? []) };
    const web = await startWeb(this, webDeps(this, this.credential, secret, this.o.staticDir), ext);
    this.stoppers.push(() => web.close());
  }

  credential: Credential | null = null;

  private async startSensing(): Promise<void> {
    const sensing = new Sensing({
      stateDir: this.o.stateDir, nflogGroup: this.o.config.sensors.nflogGroup, logPrefix: this.o.base.logPrefix,
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

  private featureContext(): FeatureContext {
    const d = this.db;
    if (!d) throw new Error('store not open');
    return {
      stateDir: this.o.stateDir, config: this.o.config, provisioning: this.o.provisioning, base: this.o.base,
      log: this.o.log, now: this.now, db: d, nft: this.nft, conditions: this.conditions, deviceId: this.deviceId,
      plan: () => this.plan,
      raise: (f) => this.raise(f),
      requestApply: () => this.rebuildAndApply(),
    };
  }

  /** Rebuilds the policy from the current plan and features, then applies it. */
  async rebuildAndApply(): Promise<boolean> {
    if (!this.plan) return false;
    this.policy = this.buildPolicyNow(this.plan);
    return this.apply();
  }

  private buildPolicyNow(plan: NetworkPlan): Policy {
    return buildPolicy({
      config: this.o.config, provisioning: this.o.provisioning, base: this.o.base, plan,
      quarantine: this.features.flatMap((f) => f.quarantine?.() ?? []),
      extraGroups: this.features.flatMap((f) => f.groups?.() ?? []),
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

  /** Stores a finding as an alert (or a repeat of one) and wakes the forwarder. */
  raise(f: Finding): void {
    this.pipeline?.ingest(f);
  }

  /** Renders the current policy without applying it. */
  render(): NftDocument {
    if (!this.policy) throw new Error('no policy yet');
    return renderRuleset(this.policy);
  }

  /** Applies the current policy; on failure the previous ruleset stays and it is reported. */
  async apply(): Promise<boolean> {
    if (!this.policy) return false;
    try {
      await this.nft.apply(renderRuleset(this.policy));
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
    const db = openDb(join(this.o.stateDir, 'utm.db'));
    this.db = db;
    this.alerts = new AlertsRepo(db);
    this.outbox = new OutboxRepo(db);
    this.incidents = new IncidentsRepo(db);
    const mutes = new MutesRepo(db, this.now);
    this.mutes = mutes;
    const retention = scheduleRetention({ alerts: this.alerts, outbox: this.outbox, incidents: this.incidents, mutes }, this.now, this.o.log);
    this.stoppers.push(() => retention.stop());
    const target = this.o.config.upstream ?? this.o.provisioning?.upstream;
    this.pipeline = new AlertPipeline({
      db, alerts: this.alerts, outbox: this.outbox, now: this.now,
      cooldownMs: cooldownMsFor(this.o.config.alerts),
      toUpstream: (a, i) => this.toUpstream(a, i),
      incidents: this.incidents, incidentWindowMs: 6 * 3_600_000, suppressWindowMs: 24 * 3_600_000,
      mutes: () => mutes.list(),
      onNew: () => void this.forwarder?.drain(),
    });
    if (target) {
      this.forwarder = new UpstreamForwarder({
        host: target.host, port: target.port, outbox: this.outbox, now: this.now,
        onHealth: (ok, detail) => this.conditions.set('upstream', ok, detail),
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
    const cfg = this.o.config;
    let facts = await readNetworkFacts(cfg.interfaces.bridge);
    let plan = planNetwork(cfg, facts);
    if (plan.mode === 'bridge' && plan.bridgePorts.length) {
      await ensureBridge(cfg.interfaces.bridge, plan.bridgePorts, facts.links);
      facts = await readNetworkFacts(cfg.interfaces.bridge);
      plan = planNetwork(cfg, facts);
    }
    this.plan = plan;
    this.conditions.set('network', plan.problems.length === 0, plan.problems.join('; ') || `${plan.mode} mode, WAN ${plan.ifaces.wan} (${plan.wanReason})`);
    this.policy = this.buildPolicyNow(plan);
    if (await this.apply()) this.timings.firstApplyMs = performance.now() - t0;
  }

  /** The upstream message: structured facts plus the plain-language text. */
  private toUpstream(a: Alert, incident?: StoredIncident): Buffer {
    const p = this.o.provisioning;
    const t = explainAlert(a, p?.language ?? 'ja', this.catalog, p?.desk ?? null);
    const head = incident && incident.findings > 1 ? `${explainAlert(incidentAsAlert(incident), p?.language ?? 'ja', this.catalog, p?.desk ?? null).title} ` : '';
    return alertToSyslog(a, { deviceId: this.deviceId, text: `${head}${t.title} ${t.what} ${t.did} ${t.todo}`, incident });
  }

  private handlers(): Handlers {
    return Object.assign({}, coreHandlers(this), ...this.features.map((f) => f.handlers?.() ?? {})) as Handlers;
  }

  /** What `utmctl status` shows. */
  status(): Record<string, unknown> {
    return {
      deviceId: this.deviceId,
      startedAt: this.startedAt,
      uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000),
      mode: this.plan?.mode ?? null,
      interfaces: this.plan?.ifaces ?? null,
      lanPrefixes: this.plan?.lanPrefixes ?? [],
      conditions: this.conditions.list(),
      timings: this.timings,
      ruleset: { lastApplyError: this.lastApplyError },
      alerts: { total: this.alerts?.count() ?? 0, pipeline: this.pipeline?.counts ?? null, mutes: this.mutes?.list().length ?? 0 },
      upstream: { pending: this.outbox?.pending() ?? null, stats: this.forwarder?.stats ?? null },
      memory: { rssBytes: process.memoryUsage().rss },
      sensors: this.sensing?.status() ?? null,
      features: Object.fromEntries(this.features.map((f) => [f.id, f.status?.() ?? {}])),
    };
  }
}
