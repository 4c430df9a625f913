// The application service of utmd: the network plan and policy in force, rendering, and the
// ONE apply queue every ruleset change goes through (full applies and the features'
// incremental changes alike: the driver it builds serializes its writes through the queue),
// the read-back check, and what `utmctl status` shows.
import type { ConnectionSweeper, CutterDeps } from '../conntrack/cutter.js';
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { NftError } from '../nft/driver.js';
import type { ApplyReport, RulesetBackend } from '../nft/backend.js';
import { errnoCode, errorMessage } from '../errors/errorText.js';
import { DYNAMIC_SETS, renderRuleset } from '../nft/render.js';
import type { BasePolicy, Policy } from '../nft/policy.js';
import type { NftDocument } from '../nft/json.js';
import { verifyReadBack } from '../nft/verify.js';
import type { NetworkPlan } from '../policy/network.js';
import { buildPolicy } from '../policy/build.js';
import type { FlowtableVerdict } from '../nft/flowtableProbe.js';
import { ApplyQueue, type Serialize } from './applyQueue.js';
import type { Conditions } from './conditions.js';
import type { Feature } from '../feature/contract.js';
import type { Logger } from './log.js';

/** Without a cutter nothing is swept (unit tests without a kernel). */
const NO_SWEEP: ConnectionSweeper = { sweep: () => Promise.resolve(0) };

export interface AppServiceDeps {
  config: Config;
  provisioning: Provisioning | null;
  base: BasePolicy;
  log: Logger;
  now: () => number;
  conditions: Conditions;
  features: readonly Feature[];
  /** Builds the ruleset backend (nft, or the dry run in tests); it must run each ruleset
   *  change through `serialize`. */
  nft: (serialize: Serialize) => RulesetBackend;
  /** Builds what ends open connections the lists forbid (conntrack); default: none (tests). */
  cutter?: ((d: CutterDeps) => ConnectionSweeper) | undefined;
  /** Asks whether the kernel offers a flowtable on these ports (router mode, once per set of
   *  ports); default: never asked, no flowtable (tests without a kernel). */
  flowtable?: ((devices: readonly string[]) => Promise<FlowtableVerdict>) | undefined;
  /** Sets the counter flag on the applied ruleset's flowtable (nft's JSON reader drops it:
   *  nft/flowtableProbe.ts); without it no flowtable is used. Throws when refused. */
  flowtableCounter?: ((devices: readonly string[]) => Promise<void>) | undefined;
  /** A write to the state dir failed (the daemon's storage watch counts it and shows it). */
  storageFailed?: ((e: unknown, where: string) => void) | undefined;
}

export interface Timings {
  restoreMs: number | null;
  firstApplyMs: number | null;
}

/** What `utmctl ruleset check` answers: nft's check of the rendered policy and the drift read back. */
export interface RulesetCheck {
  ok: boolean;
  checkError: string | null;
  drift: string[];
  lastApplyError: string | null;
}

/** The running parts' fragments of `utmctl status`, given by the composition root. */
export interface StatusParts {
  deviceId: string;
  startedAt: number;
  ports: unknown;
  store: { alerts: unknown; upstream: unknown; storage: unknown };
  sensors: unknown;
  /** The box's one capture: frames, kernel drops, reader overflows, health. */
  capture: unknown;
  control: unknown;
  page: unknown;
  /** The page and control socket starts: state, attempts, the last failure. */
  listeners: unknown;
  /** The idle collector's figures (sys/idleCollector.ts), shown beside the memory figures. */
  collector: unknown;
}

export class AppService {
  /** One ruleset change at a time; full applies that wait share one run. */
  readonly queue = new ApplyQueue();
  readonly nft: RulesetBackend;
  /** Ends open connections to and from listed addresses and quarantined devices (conntrack -D). */
  private readonly cutter: ConnectionSweeper;
  readonly timings: Timings = { restoreMs: null, firstApplyMs: null };
  private plan: NetworkPlan | null = null;
  private policy: Policy | null = null;
  private lastApplyError: string | null = null;
  /** The flowtable probe's answer for the ports in `ftPorts` (router mode). */
  private ft: { ports: string; verdict: FlowtableVerdict } | null = null;

  constructor(private readonly d: AppServiceDeps) {
    this.nft = d.nft((fn) => this.queue.exclusive(fn));
    this.cutter = d.cutter?.({
      listSet: (family, set) => this.nft.listSet(family, set), onError: (what, e) => d.log.warn(what, e),
      known: () => d.features.flatMap((f) => f.quarantinedAddresses?.() ?? []),
    }) ?? NO_SWEEP;
  }

  /** The network plan of the last apply (null before the first one). */
  /** Ends the open connections the current lists forbid (the fast path lets established
   *  packets skip the lists): after a feed or manual change applied without a full apply. */
  async cutConnections(): Promise<void> {
    if (this.plan) await this.cutter.sweep(this.buildPolicy(this.plan));
  }

  /** Why the last apply failed (null after a success). */
  applyError(): string | null {
    return this.lastApplyError;
  }

  currentPlan(): NetworkPlan | null {
    return this.plan;
  }

  /** Enforces the last-good ruleset (unless the entry point did: `earlyMs`); never throws. */
  async restoreLastGood(earlyMs: number | null | undefined, t0: number): Promise<void> {
    try {
      if (typeof earlyMs === 'number') this.timings.restoreMs = earlyMs;
      else if (await this.nft.restoreLastGood()) this.timings.restoreMs = performance.now() - t0;
    } catch (e) {
      this.d.log.error('last-good ruleset could not be restored', e);
    }
  }

  /** The first plan: apply the full policy, timed from `t0` (utmd's start). */
  async firstApply(plan: NetworkPlan, t0: number): Promise<boolean> {
    this.plan = plan;
    const ok = await this.apply();
    if (ok) this.timings.firstApplyMs = performance.now() - t0;
    return ok;
  }

  /** The port roles changed while running: new ruleset, then the features move their services. */
  async replan(plan: NetworkPlan): Promise<void> {
    this.plan = plan;
    await this.apply();
    for (const f of this.d.features) {
      try {
        await f.onPlan?.(plan);
      } catch (e) {
        this.d.log.error(`feature ${f.id} could not follow the new network plan`, e);
      }
    }
  }

  /** Rebuilds the policy from the plan as it is when the queued run starts, and applies it;
   *  on failure the previous ruleset stays and it is reported. Runs in the apply queue. */
  apply(): Promise<boolean> {
    return this.queue.request(() => this.applyNow());
  }

  private async applyNow(): Promise<boolean> {
    if (this.plan) await this.probeFlowtable(this.plan);
    if (this.plan) this.policy = this.buildPolicy(this.plan);
    if (!this.policy) return false;
    try {
      let report = await this.nft.apply(renderRuleset(this.policy), DYNAMIC_SETS);
      if (this.policy.flowtable) report = (await this.armFlowtable(this.policy.flowtable)) ?? report;
      // established packets skip the lists (the fast path): end the connections they now forbid
      await this.cutter.sweep(this.policy);
      this.lastApplyError = null;
      if (report.unsaved) this.notSaved(report.unsaved);
      else this.d.conditions.set('ruleset', true, 'applied');
      return true;
    } catch (e) {
      this.lastApplyError = e instanceof NftError ? `${e.message}\n${e.stderr}`.trim() : String(e);
      this.d.log.error('ruleset apply failed; previous ruleset stays in force', e);
      this.d.conditions.set('ruleset', false, this.lastApplyError.slice(0, 300));
      return false;
    }
  }

  /** The kernel took the ruleset but the state dir could not take its last-good copy (full):
   *  enforced all the same, said on the page, counted as a storage failure, saved later. */
  private notSaved(e: Error): void {
    this.d.log.error('ruleset applied, but its last-good copy could not be saved; a restart before it is saved starts from the one before', e);
    this.d.conditions.set('ruleset', true, `applied; not saved to disk (${errnoCode(e) ?? errorMessage(e).slice(0, 80)}): saved once the state dir takes writes again`);
    this.d.storageFailed?.(e, 'saving the last-good ruleset');
  }

  /** Writes the last-good copy an apply could not (after the state dir takes writes again);
   *  never rejects. In the apply queue's turn, behind any apply already waiting. */
  async saveLastGood(): Promise<void> {
    try {
      await this.nft.saveLastGood();
      if (this.lastApplyError === null) this.d.conditions.set('ruleset', true, 'applied');
    } catch (e) {
      this.notSaved(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Router mode: asks once per set of ports whether a flowtable is offered (a kernel
   *  without CONFIG_NF_FLOW_TABLE, or an nft that drops its counter flag, says no). */
  private async probeFlowtable(plan: NetworkPlan): Promise<void> {
    if (plan.mode !== 'router' || !this.d.flowtable) return;
    const ports = flowtablePorts(plan);
    const key = ports.join(' ');
    if (this.ft?.ports === key) return;
    const verdict = await this.d.flowtable(ports);
    this.ft = { ports: key, verdict };
    this.d.log.info(`flowtable (software offload of established flows): ${verdict.available ? 'used' : 'not used'}: ${verdict.reason}`);
  }

  /** The flowtable just applied gets its counter flag (offloaded flows keep counting bytes in
   *  conntrack); if that is refused, the ruleset is applied again without a flowtable. */
  private async armFlowtable(ports: string[]): Promise<ApplyReport | undefined> {
    try {
      await this.d.flowtableCounter?.(ports);
      return undefined;
    } catch (e) {
      this.ft = { ports: ports.join(' '), verdict: { available: false, reason: `the flowtable's counter flag was refused: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}` } };
      this.d.log.error('flowtable counter flag refused; applying the ruleset without a flowtable', e);
      if (this.plan) this.policy = this.buildPolicy(this.plan);
      return this.policy ? await this.nft.apply(renderRuleset(this.policy), DYNAMIC_SETS) : undefined;
    }
  }

  private buildPolicy(plan: NetworkPlan): Policy {
    const { d } = this;
    const ft = plan.mode === 'router' && d.flowtableCounter && this.ft?.verdict.available && this.ft.ports === flowtablePorts(plan).join(' ') ? flowtablePorts(plan) : undefined;
    return {
      ...buildPolicy({
        config: d.config, provisioning: d.provisioning, base: d.base, plan,
        quarantine: d.features.flatMap((f) => f.quarantine?.() ?? []),
        extraGroups: d.features.flatMap((f) => f.groups?.() ?? []).map((g) => g.rules),
        extraAllow: d.features.flatMap((f) => f.allow?.() ?? []),
      }),
      flowtable: ft,
    };
  }

  /** Renders the policy in force without applying it. Throws before the first apply. */
  render(): NftDocument {
    if (!this.policy) throw new Error('no policy yet');
    return renderRuleset(this.policy);
  }

  /** nft's check of the rendered policy and the drift of our tables from it, read in one
   *  turn of the queue (never half-way through an apply). Throws before the first apply. */
  async check(): Promise<RulesetCheck> {
    const doc = this.render();
    return this.nft.change(async () => {
      let checkError: string | null = null;
      try {
        await this.nft.check(doc);
      } catch (e) {
        checkError = e instanceof Error ? e.message : String(e);
      }
      const drift = verifyReadBack(doc, await this.nft.readBack(), this.d.base.tableName);
      return { ok: checkError === null && drift.length === 0, checkError, drift, lastApplyError: this.lastApplyError };
    });
  }

  /** What `utmctl status` shows: the ruleset side from here, the rest from `parts`. */
  status(parts: StatusParts): Record<string, unknown> {
    const { d, plan } = this;
    return {
      deviceId: parts.deviceId,
      startedAt: parts.startedAt,
      uptimeSeconds: Math.round((d.now() - parts.startedAt) / 1000),
      mode: plan?.mode ?? null,
      interfaces: plan?.ifaces ?? null,
      ports: parts.ports,
      lanPrefixes: plan?.lanPrefixes ?? [],
      conditions: d.conditions.list(),
      timings: this.timings,
      ruleset: { lastApplyError: this.lastApplyError, queue: this.queue.counts, flowtable: this.ft?.verdict ?? null },
      alerts: parts.store.alerts,
      upstream: parts.store.upstream,
      memory: { ...memoryFigures(), collector: parts.collector },
      sensors: parts.sensors,
      capture: parts.capture,
      control: parts.control,
      page: parts.page,
      listeners: parts.listeners,
      storage: parts.store.storage,
      features: Object.fromEntries(d.features.map((f) => [f.id, f.status?.() ?? {}])),
    };
  }
}

/** The process's memory as `utmctl status` shows it: RSS, and the V8 heap and buffers inside it. */
function memoryFigures(): { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number } {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external };
}

/** The ports a router-mode flowtable spans: the WAN port and the office ports, sorted. */
function flowtablePorts(plan: NetworkPlan): string[] {
  return [...new Set([plan.ifaces.wan, ...plan.ifaces.lan])].sort();
}
