// Works out the network plan at start and keeps it right while utmd runs: every reading of
// the port watcher (links, tables, DHCP seen per port) is planned again, and a plan that
// differs is handed to `onPlan` (re-apply, restart port-bound services) without a restart.
// The `ports` condition goes bad when a configured port is missing or the evidence
// contradicts the configuration at once, and when the roles stay unproven past a grace.
import type { CaptureHub } from '../sensors/captureHub.js';
import type { Config } from '../config/schema.js';
import { ensureBridge, readNetworkFacts } from '../net/facts.js';
import { describePortProblems, type PortRoles } from '../net/portRoles.js';
import { NUDGE_SETTLE_MS, nudgeGateways, PortWatch } from '../ports/portWatch.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkFacts } from '../net/topology.js';
import { planWithRoles, type NetworkPlan, type PortObservations } from '../policy/network.js';
import type { Conditions } from './conditions.js';
import type { Logger } from './log.js';

export interface NetworkPlannerOptions {
  config: Config;
  now: () => number;
  log: Logger;
  conditions: Conditions;
  /** A changed plan; the planner waits for it before handing on the next one. */
  onPlan: (plan: NetworkPlan, previous: NetworkPlan) => Promise<void>;
  /** How long roles may stay unproven before the `ports` condition goes bad (default 20 s). */
  graceMs?: number | undefined;
  carrierPollMs?: number | undefined;
  tablesPollMs?: number | undefined;
  /** Where children's pids are recorded (sys/childRecords.ts). */
  recordDir?: string | undefined;
  /** The box's one packet capture (the port watcher's DHCP evidence is a tap on it). */
  capture?: CaptureHub | undefined;
}

/** The fields whose change needs a new ruleset or restarted services. */
function planKey(p: NetworkPlan): string {
  return JSON.stringify([p.mode, p.ifaces, p.bridgePorts, p.lanPrefixes, p.servedPorts, p.portsProven, p.boxAddresses, p.gateways]);
}

export class NetworkPlanner {
  plan: NetworkPlan | null = null;
  roles: PortRoles | null = null;
  private watch: PortWatch | null = null;
  private unprovenSince: number | null = null;
  private remembered: { wan: string; at: number } | null = null;
  private bridgeKey = '';
  private chain: Promise<void> = Promise.resolve();
  readonly counts = { replans: 0 };

  constructor(private readonly o: NetworkPlannerOptions) {}

  /** The first plan (creates the bridge in bridge mode). Throws only when the tables cannot be read. */
  async first(): Promise<NetworkPlan> {
    const cfg = this.o.config;
    let facts = await readNetworkFacts(cfg.interfaces.bridge);
    // A gateway the box has not talked to yet: have the kernel resolve it, so the first plan
    // already knows where the router is (the watcher would find it a moment later anyway).
    if (nudgeGateways(facts, (what, e) => this.o.log.warn(`${what} failed: ${(e as Error).message}`))) {
      await sleep(NUDGE_SETTLE_MS);
      facts = await readNetworkFacts(cfg.interfaces.bridge);
    }
    let r = planWithRoles(cfg, facts, this.noObs());
    if (r.plan.mode === 'bridge' && r.plan.bridgePorts.length) {
      await this.ensureBridge(r.plan, facts);
      facts = await readNetworkFacts(cfg.interfaces.bridge);
      r = planWithRoles(cfg, facts, this.noObs());
    }
    this.take(r.plan, r.roles);
    return r.plan;
  }

  /** Starts watching the ports; re-plans on every reading. */
  async start(): Promise<void> {
    this.watch = new PortWatch({
      bridge: this.o.config.interfaces.bridge, now: this.o.now,
      carrierPollMs: this.o.carrierPollMs, tablesPollMs: this.o.tablesPollMs, recordDir: this.o.recordDir, hub: this.o.capture,
      onReading: (facts, obs) => this.onReading(facts, obs),
      onHealth: (h) => this.o.conditions.set(`sensor:${h.id}`, h.ok, h.detail),
      onError: (what, e) => this.o.log.warn(`${what} failed: ${(e as Error).message}`),
    });
    await this.watch.start();
  }

  async stop(): Promise<void> {
    await this.watch?.stop();
    this.watch = null;
    await this.chain;
  }

  /** Re-reads the tables now (e.g. `utmctl` or a test); the result arrives through onPlan. */
  refresh(): void {
    this.watch?.refresh();
  }

  status(): Record<string, unknown> {
    return {
      proven: this.roles?.proven ?? false, wan: this.roles?.wan ?? null, lan: this.roles?.lan ?? [], served: this.roles?.served ?? [],
      wanBy: this.roles?.wanBy ?? null, seen: this.roles?.seen ?? {}, problems: this.roles?.problems ?? [],
      replans: this.counts.replans, watch: this.watch?.status() ?? null,
    };
  }

  private noObs(): PortObservations {
    return { sightings: [], changedAt: {}, now: this.o.now() };
  }

  private onReading(facts: NetworkFacts, obs: PortObservations): void {
    this.chain = this.chain.then(async () => {
      const { plan, roles } = planWithRoles(this.o.config, facts, { ...obs, remembered: this.remembered ?? undefined });
      const prev = this.plan;
      if (plan.mode === 'bridge') await this.ensureBridge(plan, facts);
      this.take(plan, roles);
      if (prev && planKey(prev) !== planKey(plan)) {
        this.counts.replans++;
        this.o.log.info(`ports re-worked out: ${describePortProblems(roles)}`);
        await this.o.onPlan(plan, prev);
      }
    }).catch((e: unknown) => this.o.log.error('re-planning the network failed; the previous plan stays', e));
  }

  private async ensureBridge(plan: NetworkPlan, facts: NetworkFacts): Promise<void> {
    const bridge = this.o.config.interfaces.bridge;
    const key = plan.bridgePorts.join(',');
    const done = plan.bridgePorts.every((p) => facts.links.find((l) => l.name === p)?.master === bridge) && facts.links.some((l) => l.name === bridge);
    if (done && key === this.bridgeKey) return;
    await ensureBridge(bridge, plan.bridgePorts, facts.links);
    this.bridgeKey = key;
  }

  /** Keeps the plan and sets the `network` and `ports` conditions. */
  private take(plan: NetworkPlan, roles: PortRoles): void {
    this.plan = plan;
    this.roles = roles;
    const c = this.o.conditions;
    c.set('network', plan.problems.length === 0, plan.problems.join('; ') || `${plan.mode} mode, WAN ${plan.ifaces.wan} (${plan.wanReason})`);
    const now = this.o.now();
    const definite = roles.problems.some((p) => p.code !== 'no-evidence');
    if (roles.proven && roles.wan !== null && roles.wanBy === 'evidence') this.remembered = { wan: roles.wan, at: now };
    if (roles.proven && !definite) {
      this.unprovenSince = null;
      c.set('ports', true, describePortProblems(roles));
      return;
    }
    this.unprovenSince ??= now;
    if (definite || now - this.unprovenSince >= (this.o.graceMs ?? 20_000)) c.set('ports', false, describePortProblems(roles));
  }
}
