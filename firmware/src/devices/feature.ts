// The device inventory as a daemon feature: restores the inventory in init(), hands the
// quarantined MACs to the first apply, then runs passive discovery (DHCP capture, kernel tables,
// dnsmasq leases in router mode), folds every sighting into the pure reducer, raises its findings
// through the alert pipeline, changes the kernel quarantine set incrementally, persists in batches.
import { join } from 'node:path';
import { CHILDREN_DIR } from '../sys/childRecords.js';
import { Poller } from '../time/poller.js';
import type { Feature, FeatureContext, Handlers } from '../feature/contract.js';
import type { Db } from '../store/db.js';
import type { DevicesView } from './view.js';
import { applyAction, quarantinedAddresses, quarantinedMacs, type DeviceAction } from './actions.js';
import { DhcpCapture } from './capture.js';
import { DnsLookupCapture } from './dnsLookups.js';
import { DeviceTable } from './deviceTable.js';
import { OfficeDhcp } from './officeDhcp.js';
import { dhcpGateway } from './dhcpGateway.js';
import { roleNames } from './hostNames.js';
import { NamesGuard } from './namesGuard.js';
import { loadFingerprints } from './fingerprintFile.js';
import type { FingerprintTable } from './fingerprints.js';
import { inLearning, observe, tick, type Step } from './inventory.js';
import { KernelTables, type LanView } from './kernelTables.js';
import { createOuiLookup, type OuiLookup } from './mac.js';
import { InventoryPolicySchema, type ActionRequest, type AuditEntry, type Device, type InventoryPolicy, type InventoryState, type Observation } from './model.js';
import { QuarantineSet } from './quarantineSet.js';
import { DevicesRepo } from './repo.js';
import { devicesHandlers } from './commands.js';
import type { Sighting } from '../net/neighbours.js';
import { deviceNaming } from './naming.js';
import type { DeviceNaming } from '../alerts/naming.js';
import type { DeviceRef } from '../alerts/types.js';
import { devicesMigrations } from './migrations.js';
import { byCodeUnit } from '../collections/order.js';
import { LearningClock } from './learningClock.js';

export interface DevicesFeatureOptions {
  /** The package root: rules/fingerprints.json is read from there. */
  root: string;
  oui?: OuiLookup | undefined;
  tickMs?: number | undefined;
  flushMs?: number | undefined;
}

export type ActionOutcome =
  | { ok: true; changed: boolean; device: Device; enforced: boolean }
  | { ok: false; reason: 'unknown_device' | 'bad_actor' | 'not_ready' };

const DAY = 86_400_000;

export class DevicesFeature implements Feature<DevicesRepo>, DevicesView {
  readonly id = 'devices';
  readonly migrations = devicesMigrations;
  private ctx: FeatureContext<DevicesRepo> | null = null;
  private repo: DevicesRepo | null = null;
  private table: FingerprintTable | null = null;
  private policy: InventoryPolicy = InventoryPolicySchema.parse({});
  private state: InventoryState | null = null;
  private readonly oui: OuiLookup;
  private capture: DhcpCapture | null = null;
  private lookups: DnsLookupCapture | null = null;
  private kernel: KernelTables | null = null;
  private dnsmasq: OfficeDhcp | null = null;
  /** Router mode: the host names dnsmasq refuses (null in bridge mode: no DHCP server of ours). */
  private names: NamesGuard | null = null;
  private qset: QuarantineSet | null = null;
  private pollers: Poller[] = [];
  private dirty = new Set<string>();
  private pendingAudit: InventoryState['audit'][number][] = [];
  private readonly learnClock = new LearningClock();
  readonly counts = { observations: 0, findings: 0, flushes: 0, flushErrors: 0, invalidRows: 0, lastFlushMs: 0 };

  constructor(private readonly o: DevicesFeatureOptions) {
    this.oui = o.oui ?? createOuiLookup();
  }

  repositories(db: Db): DevicesRepo {
    return new DevicesRepo(db);
  }

  /** Loads the stored inventory and the fingerprint table (a broken table is a failed condition). */
  init(ctx: FeatureContext<DevicesRepo>): void {
    this.ctx = ctx;
    const p = ctx.provisioning;
    this.policy = InventoryPolicySchema.parse({ learningDays: p?.learningDays ?? 7, autoQuarantine: p?.autoQuarantineNewDevices ?? false });
    this.repo = ctx.repos;
    const loaded = this.repo.load(this.policy.auditMax);
    this.counts.invalidRows = loaded.invalid;
    const startedAt = this.repo.learningStart(ctx.now());
    this.state = { startedAt, devices: DeviceTable.from(loaded.devices), audit: loaded.audit, counters: { evicted: 0, dropped: 0 } };
    // Without the fingerprint table discovery stops (loudly), but stored decisions, quarantines
    // included, stay in force and staff can still act on known devices.
    try {
      this.table = loadFingerprints(join(this.o.root, 'rules', 'fingerprints.json'));
    } catch (e) {
      ctx.log.error('device fingerprints unusable; device discovery is off', e);
      ctx.conditions.set('devices:fingerprints', false, `rules/fingerprints.json unusable: ${(e as Error).message}`.slice(0, 300));
    }
    this.qset = new QuarantineSet({
      ruleset: ctx.ruleset, plan: () => ctx.plan(),
      onResult: (ok, detail) => {
        ctx.conditions.set('devices:quarantine', ok, detail);
        // The kernel set missed a change: a full apply puts every quarantined MAC back.
        if (!ok) void ctx.requestApply();
        // Established packets skip the quarantine (fast path): end the device's open connections.
        else void ctx.cutConnections?.();
      },
    });
  }

  quarantine(): string[] {
    return this.state ? quarantinedMacs(this.state) : [];
  }

  /** Every address the inventory holds for a quarantined device (for the connection cutter). */
  quarantinedAddresses(): { mac: string; ipv4?: string; ipv6?: string }[] {
    return this.state ? quarantinedAddresses(this.state) : [];
  }

  start(): void {
    const ctx = this.need();
    const plan = ctx.plan();
    const view = (): LanView | null => {
      const pl = ctx.plan();
      return pl ? { mode: pl.mode, bridge: pl.ifaces.bridge, lan: pl.ifaces.lan } : null;
    };
    if (plan) this.followPlan(ctx, plan);
    this.kernel = new KernelTables({
      view, ruleset: ctx.ruleset,
      onSightings: (source, s) => this.sightings(source, s),
      onError: (what, e) => ctx.log.warn(`${what} failed: ${(e as Error).message}`),
    });
    this.kernel.start();
    this.pollers = [
      new Poller({ everyMs: this.o.tickMs ?? 5000, run: () => this.runTick(), ref: true, onError: (e) => this.ctx?.log.error('device inventory tick failed', e) }),
      new Poller({ everyMs: this.o.flushMs ?? 1000, run: () => this.flush(), ref: true }),
    ];
    for (const p of this.pollers) p.start();
  }

  /** The ports moved (re-worked out while running): capture and DHCP server follow. */
  async onPlan(): Promise<void> {
    const ctx = this.need();
    const plan = ctx.plan();
    if (!plan || (this.portsKey === portsKey(plan) && this.capture)) return;
    const [cap, look, dm] = [this.capture, this.lookups, this.dnsmasq];
    [this.capture, this.lookups, this.dnsmasq] = [null, null, null];
    for (const sensor of [cap, look, dm]) await sensor?.stop();
    this.followPlan(ctx, plan);
    // Stopped on purpose: the `ports` condition says why; this one must not keep a stale "running".
    if (dm && !this.dnsmasq) ctx.conditions.set('sensor:dnsmasq', true, 'not serving: the office ports are not worked out');
  }

  private portsKey = '';

  private followPlan(ctx: FeatureContext<DevicesRepo>, plan: NonNullable<ReturnType<FeatureContext['plan']>>): void {
    this.portsKey = portsKey(plan);
    // The LAN-side ports in both modes. In bridge mode a capture on the bridge device only
    // sees frames delivered to the bridge itself (broadcasts), not unicast renewals that
    // the bridge forwards between ports; a capture on each office-side port sees both.
    const ifaces = plan.ifaces.lan;
    if (ifaces.length) {
      this.capture = new DhcpCapture({
        ifaces, now: ctx.now, vendorOf: (m) => this.vendorOf(m), recordDir: join(ctx.stateDir, CHILDREN_DIR), hub: ctx.capture,
        onObservation: (obs) => this.ingest(obs),
        onHealth: (h) => ctx.conditions.set(`sensor:${h.id}`, h.ok, h.detail),
      });
      this.capture.start();
      // Names devices look up by themselves (connectivity checks): more evidence for the verdict.
      if (this.table) {
        this.lookups = new DnsLookupCapture({
          ifaces, table: this.table, now: ctx.now, vendorOf: (m) => this.vendorOf(m), recordDir: join(ctx.stateDir, CHILDREN_DIR), hub: ctx.capture,
          onObservation: (obs) => this.ingest(obs),
          onHealth: (h) => ctx.conditions.set(`sensor:${h.id}`, h.ok, h.detail),
        });
        this.lookups.start();
      }
    }
    // DHCP is served only on ports proven to be the office's; none while they are unproven.
    if (plan.mode === 'router' && (plan.servedPorts ?? plan.ifaces.lan).length) void this.startDnsmasq(ctx);
  }

  private async startDnsmasq(ctx: FeatureContext<DevicesRepo>): Promise<void> {
    const plan = ctx.plan();
    const served = plan && dhcpGateway(plan.lanPrefixes, plan.boxAddresses);
    if (!plan || !served) {
      ctx.conditions.set('sensor:dnsmasq', false, 'no IPv4 office range or box address known: DHCP server not started');
      return;
    }
    const r = ctx.config.router;
    // The box's own names: its name in the office and the provider's id for it.
    const role = roleNames([r.boxName, ctx.provisioning?.deviceId ?? '']);
    this.names = new NamesGuard(role, this.state?.devices.values() ?? []);
    ctx.conditions.set('dhcp:names', true, this.names.summary());
    this.dnsmasq = new OfficeDhcp({
      stateDir: ctx.stateDir, now: ctx.now, names: this.names.namesFile(),
      plan: {
        ifaces: plan.servedPorts ?? plan.ifaces.lan, prefix: served.prefix, gateway: served.gateway, dnsServers: r.dnsServers,
        localDomain: r.localDomain, boxNames: [r.boxName], roleNames: role, rebindAllowed: r.dnsRebindAllowed,
      },
      onHealth: (h) => ctx.conditions.set(`sensor:${h.id}`, h.ok, h.detail),
      onLeases: (ls) => this.sightings('lease', ls.map((l) => ({ mac: l.mac, ipv4: l.ipv4 }))),
      onError: (what, e) => ctx.log.warn(`${what}: ${(e as Error).message}`),
    }, ctx);
    await this.dnsmasq.start(); // said and tried again while it cannot start (officeDhcp.ts)
  }

  /** dnsmasq's status and the held names; null while no DHCP server runs (or waits to be tried again). */
  private dhcpStatus(): Record<string, unknown> | null {
    const dm = this.dnsmasq?.current();
    return dm ? { ...dm.status(), names: this.names?.status() ?? null } : null;
  }

  async stop(): Promise<void> {
    for (const p of this.pollers) p.stop();
    this.pollers = [];
    this.kernel?.stop();
    for (const sensor of [this.capture, this.lookups, this.dnsmasq]) await sensor?.stop();
    this.flush();
  }

  private need(): FeatureContext<DevicesRepo> {
    if (!this.ctx) throw new Error('devices feature used before init()');
    return this.ctx;
  }

  private vendorOf(mac: string): string | null {
    try {
      return this.oui.vendorOf(mac);
    } catch (e) {
      this.ctx?.conditions.set('devices:oui', false, `vendor registry unavailable: ${(e as Error).message}`);
      return null;
    }
  }

  /** Folds sightings from the kernel tables or leases (no DHCP fields) into the inventory. */
  private sightings(source: Observation['source'], list: readonly Sighting[]): void {
    const at = this.need().now();
    for (const s of list) this.ingest({ mac: s.mac, at, source, ipv4: s.ipv4, ipv6: s.ipv6, vendor: this.vendorOf(s.mac) });
  }

  /** Folds one observation into the inventory; raises findings; queues kernel changes. */
  ingest(obs: Observation): void {
    const ctx = this.need();
    if (!this.state || !this.table) return;
    this.counts.observations++;
    // Router mode: asking again for a name dnsmasq refused is a finding (counted either way).
    const refused = this.names?.check(obs, this.state.devices);
    if (this.names && obs.dhcp?.hostname) ctx.conditions.set('dhcp:names', true, this.names.summary());
    if (refused) { this.counts.findings++; ctx.raise(refused); }
    // Fire and forget: the quarantine queue never rejects; a failed change sets its condition.
    const now = this.wallNow();
    void this.commit(observe(this.state, obs, now, this.policy, this.table), [obs.mac]);
  }

  /** The wall clock; a step of it since the last look moves the learning start in this.state
   *  (learningClock.ts): read it before this.state. */
  private wallNow(): number {
    const now = this.need().now();
    if (this.state) this.state = this.learnClock.follow(this.state, now, this.policy, (at) => this.repo?.moveLearningStart(at));
    return now;
  }

  private runTick(): void {
    if (!this.state || !this.ctx) return;
    const now = this.wallNow();
    const step = tick(this.state, now, this.policy, this.table);
    if (step.state !== this.state) void this.commit(step, [...step.state.devices.values()].map((d) => d.mac)); // never rejects (see ingest)
  }

  private commit(step: Step | { state: InventoryState; findings: Step['findings']; actions: ActionRequest[] }, touched: string[]): Promise<boolean> {
    const prev = this.state;
    if (prev === null) return Promise.resolve(false); // callers hold a state
    const next = step.state;
    this.state = next;
    const added = newAudit(prev.audit, next.audit);
    this.pendingAudit.push(...added);
    const changed = [...touched, ...added.map((a) => a.mac)].filter((mac) => prev.devices.get(mac) !== next.devices.get(mac));
    for (const mac of changed) this.dirty.add(mac);
    const namesFile = changed.length ? this.names?.update(prev, next, changed) : null;
    if (namesFile) this.dnsmasq?.setNames(namesFile);
    for (const f of step.findings) {
      this.counts.findings++;
      this.ctx?.raise(f);
    }
    return this.qset?.enqueue(step.actions) ?? Promise.resolve(step.actions.length === 0);
  }

  /** Writes dirty devices and new audit entries in one transaction. Never throws. */
  flush(): void {
    if (!this.repo || !this.state || (this.dirty.size === 0 && this.pendingAudit.length === 0)) return;
    const t0 = performance.now();
    const changed: Device[] = [];
    const deleted: string[] = [];
    for (const mac of this.dirty) {
      const d = this.state.devices.get(mac);
      if (d) changed.push(d); else deleted.push(mac);
    }
    try {
      this.repo.write(changed, deleted, this.pendingAudit);
      this.dirty.clear();
      this.pendingAudit = [];
      this.counts.flushes++;
      this.counts.lastFlushMs = Math.round((performance.now() - t0) * 10) / 10;
    } catch (e) {
      this.counts.flushErrors++;
      // a full disk is counted and shown once (the storage condition); the changes stay dirty
      if (!this.ctx?.storageFailed?.(e, 'device inventory')) this.ctx?.log.error('device inventory could not be stored', e);
    }
  }

  /** Applies a staff or technician decision: state, audit, kernel set. */
  async act(a: DeviceAction): Promise<ActionOutcome> {
    if (!this.state) return { ok: false, reason: 'not_ready' };
    const r = applyAction(this.state, a, this.policy);
    if (!r.ok) return r;
    const device = r.state.devices.get(a.mac);
    if (device === undefined) return { ok: false, reason: 'unknown_device' }; // applyAction found it
    const enforced = await this.commit(r, [a.mac]);
    this.flush();
    return { ok: true, changed: r.changed, device, enforced };
  }

  /** Every device, newest first; the learning period; counters. */
  list(): { devices: Device[]; learning: { active: boolean; until: number }; counters: InventoryState['counters'] } {
    const s = this.state;
    const now = this.ctx?.now() ?? Date.now();
    if (!s) return { devices: [], learning: { active: false, until: 0 }, counters: { evicted: 0, dropped: 0 } };
    const devices = [...s.devices.values()].sort((a, b) => b.lastSeen - a.lastSeen || byCodeUnit(a.mac, b.mac));
    return { devices, learning: { active: inLearning(s, now, this.policy), until: s.startedAt + this.policy.learningDays * DAY }, counters: s.counters };
  }

  /** The audit log kept in memory (newest last, at most policy.auditMax), for the page's history. */
  decisions(): readonly AuditEntry[] {
    return this.state?.audit ?? [];
  }

  /** The injected clock (wall clock before init). */
  now(): number {
    return this.ctx?.now() ?? Date.now();
  }

  /** Reads the kernel tables now (technician: `utmctl devices scan`) instead of waiting for the timers. */
  async scan(): Promise<void> {
    await this.kernel?.pollNeighbours();
    await this.kernel?.pollSet();
  }

  device(mac: string): Device | undefined {
    return this.state?.devices.get(mac);
  }

  /** How staff know the device with this MAC (else this address): label, hostname, maker, kind. */
  nameDevice(d: DeviceRef): DeviceNaming | undefined {
    const s = this.state;
    if (!s) return undefined;
    let dev = d.mac !== undefined ? s.devices.get(d.mac) : undefined;
    if (dev === undefined && d.mac === undefined && d.ip !== undefined) {
      // No MAC in the finding (a flow before the neighbour table named it): one scan by address.
      for (const v of s.devices.values()) if (v.ipv4.includes(d.ip) || v.ipv6.includes(d.ip)) { dev = v; break; }
    }
    return dev && deviceNaming(dev);
  }

  recentAudit(limit: number): unknown[] {
    return this.repo?.recentAudit(limit) ?? [];
  }

  handlers(): Handlers { return devicesHandlers(this); }

  /** The page's view model and decision port (the composition hands it to webui/). */
  views(): DevicesView { return this; }

  status(): Record<string, unknown> {
    return {
      devices: this.state?.devices.size ?? 0,
      learning: this.list().learning,
      policy: { learningDays: this.policy.learningDays, autoQuarantine: this.policy.autoQuarantine },
      counts: this.counts,
      dhcp: this.capture?.status() ?? null,
      dnsLookups: this.lookups?.status() ?? null,
      kernelTables: this.kernel?.stats ?? null,
      dnsmasq: this.dhcpStatus(),
      quarantineSet: this.qset?.counts ?? null,
      inventory: this.state?.counters ?? null,
    };
  }
}

/** Audit entries in `next` that `prev` did not have (the reducer only appends). */
function newAudit<T>(prev: readonly T[], next: readonly T[]): T[] {
  if (prev === next) return [];
  const last = prev[prev.length - 1];
  const i = last === undefined ? -1 : next.lastIndexOf(last);
  return next.slice(i + 1);
}

function portsKey(plan: { mode: string; ifaces: { lan: string[] }; servedPorts?: string[] | undefined; lanPrefixes: string[]; boxAddresses: string[] }): string {
  return JSON.stringify([plan.mode, plan.ifaces.lan, plan.servedPorts, plan.lanPrefixes, plan.boxAddresses]);
}
