// TrafficFeature: the anomalous-traffic detectors plugged into utmd. Per flow datagram:
// parse → MAC from the neighbour table → detectors → ctx.raise (the pipeline then applies
// mutes, blocked-suppression, dedup/cooldown and incidents). NFLOG drops feed the threat-intel
// detector's "keeps trying" rule; open connections are polled for long-lived ones; window
// state is evicted every minute with the latest event time. DNS answers to office devices
// (captured on the LAN-side ports, or handed to onDnsAnswer) name remote addresses, for
// allowlist entries matched by name and for alert evidence.
import { join } from 'node:path';
import { CHILDREN_DIR } from '../sys/childRecords.js';
import { Poller } from '../time/poller.js';
import type { Feature, FeatureContext, Handlers } from '../feature/contract.js';
import type { Db } from '../store/db.js';
import { z } from 'zod';
import { CommandError, parseArgs } from '../control/protocol.js';
import { normalizeIp } from '../net/ipText.js';
import { parseLogPrefix, type PacketHit } from '../alerts/fromPacket.js';
import { collectorAllowEntry, DetectorSet, type ListedLookup } from '../detectors/index.js';
import { clocked, type Thresholds } from '../detectors/thresholds.js';
import { CidrSet, makeIsLan } from '../net/cidrSet.js';
import type { FlowEvent } from '../sensors/events.js';
import { parseNfct } from '../sensors/nfct.js';
import { DnsCapture } from '../dns/capture.js';
import { DnsNames } from '../dns/sensor.js';
import { ByteCounters } from './byteCounters.js';
import { ConntrackPoller } from './conntrackList.js';
import { FlowIngest } from './ingest.js';
import { NeighbourTable, type KnownDevice } from './neighbours.js';
import { loadThresholds } from './thresholdsFile.js';
import { loadServiceNetworks } from '../detectors/serviceNetworksFile.js';
import type { OperatorOf } from '../detectors/serviceNetworks.js';
import { MacMisses } from './macMisses.js';
import { RecentFlows } from './recentFlows.js';
import { LAN_SEEN_SET } from '../nft/render.js';
import type { FlowRecord } from '../flows/parse.js';
import { incidentsView, trafficRepos, type IncidentsView, type TrafficRepos } from './view.js';
import { loadWindows, saveWindows } from './windows.js';
import { trafficMigrations } from './migrations.js';

export interface TrafficOptions {
  /** Package root (rules/thresholds.json lives there). */
  root: string;
  /** Blocklist lookup, normally the feeds feature's `lookupListed`. Must be O(1). Default: the
   *  config's local blocklist (single addresses and prefixes). */
  listed?: ListedLookup | undefined;
  /** Devices known to the inventory (MAC + addresses), to name flow devices by MAC in bridge mode. */
  devices?: (() => Iterable<KnownDevice>) | undefined;
}

const EVICT_MS = 60_000;
const NEIGH_MS = 15_000;

/** A lookup over the config's local blocklist (ranges are skipped: the kernel still blocks them). */
export function localListed(entries: readonly string[]): ListedLookup {
  const prefixes = entries.map((e) => e.trim()).filter((e) => !e.includes('-'));
  let set: CidrSet | undefined;
  try {
    set = prefixes.length > 0 ? new CidrSet(prefixes) : undefined;
  } catch (e) {
    void e; // the config schema already validated them; a prefix CidrSet refuses simply is not looked up
    set = undefined;
  }
  const hit = { feedId: 'local', category: 'local', action: 'block' as const, listedAt: 0 };
  return (ip) => (set?.has(ip) ? hit : undefined);
}

export class TrafficFeature implements Feature<TrafficRepos> {
  readonly id = 'traffic';
  readonly migrations = trafficMigrations;
  private ctx: FeatureContext<TrafficRepos> | null = null;
  private thresholds: Thresholds | null = null;
  private detectors: DetectorSet | null = null;
  private ingest: FlowIngest | null = null;
  private neighbours: NeighbourTable | null = null;
  private poller: ConntrackPoller | null = null;
  private bytes: ByteCounters | null = null;
  /** Evicts window state with the latest event time, and sweeps the learned names. */
  private readonly evict = new Poller({
    everyMs: EVICT_MS,
    run: () => {
      this.detectors?.evict(this.lastEventAt || (this.ctx?.now() ?? 0));
      this.dns?.cache.sweep();
      // Every tenth run: the windows of a busy office are megabytes of JSON.
      if (++this.ticks % 10 === 0) void this.saveWindows();
    },
    onError: (e) => this.ctx?.log.error('window eviction failed', e),
  });
  private dns: DnsNames | null = null;
  private dnsCapture: DnsCapture | null = null;
  private lastEventAt = 0;
  private lastDnsAt = 0;
  private isLanFor: { prefixes: readonly string[]; fn: (ip: string) => boolean } | null = null;
  readonly counts = { findings: 0, blocked: 0, errors: 0 };
  /** The latest judged flows, for `utmctl flows`. */
  private readonly recent = new RecentFlows();

  constructor(private readonly o: TrafficOptions) {}

  repositories(db: Db): TrafficRepos {
    return trafficRepos(db, () => this.ctx?.now() ?? Date.now());
  }

  /** Loads thresholds and builds the detectors; throws ThresholdsError on a bad file. */
  init(ctx: FeatureContext<TrafficRepos>): void {
    this.ctx = ctx;
    const t = loadThresholds({ root: this.o.root, file: ctx.config.traffic.thresholdsFile });
    this.thresholds = t;
    const collector = ctx.config.upstream?.host ?? ctx.provisioning?.upstream.host;
    const dn = ctx.config.traffic.dnsNames;
    const dns = new DnsNames({
      isLan: (ip) => this.isLan(ip), boxAddresses: () => ctx.plan()?.boxAddresses ?? [],
      trustedServers: dn.trustedServers, cap: dn.maxNames, minHoldMs: dn.minHoldMinutes * 60_000,
      // Event time, like the detectors: names learned at an answer's capture time are judged
      // against the flow end times that ask for them (replays and benchmarks included).
      now: () => Math.max(this.lastEventAt, this.lastDnsAt),
    });
    this.dns = dns;
    // Without the operator networks every cloud check-in stands alone: more alerts, none hidden.
    let operatorOf: OperatorOf | undefined;
    try {
      operatorOf = loadServiceNetworks(join(this.o.root, 'rules', 'service-networks.json'));
    } catch (e) {
      ctx.log.warn('rules/service-networks.json unusable; cloud check-ins are judged without it', e);
    }
    this.detectors = new DetectorSet({
      thresholds: t,
      operatorOf,
      listed: this.o.listed ?? localListed(ctx.config.blocklist.local),
      extraAllow: collector ? [collectorAllowEntry(collector)] : [],
      nameOf: (ip) => dns.nameOf(ip),
      nameMemory: dns.cache,
    });
    const kept = loadWindows(ctx.stateDir, this.detectors);
    if (kept.error !== undefined) ctx.log.warn('detector windows from before the restart unreadable; starting fresh', kept.error);
    this.neighbours = new NeighbourTable(NEIGH_MS, (e) => ctx.log.warn('neighbour table unreadable', e), this.o.devices,
      () => ctx.ruleset.listSet('inet', LAN_SEEN_SET)); // inet in both modes (nft/render.ts)
    this.ingest = new FlowIngest({ isLan: (ip) => this.isLan(ip), macOf: (ip) => this.neighbours?.macOf(ip), now: ctx.now });
    const c = clocked(t);
    this.poller = new ConntrackPoller({
      everyMs: ctx.config.traffic.conntrackPollSeconds * 1000,
      // Hand on a little before the threshold so the detector itself decides at the edge.
      minAgeMs: () => c.hours(t.longConnection.minHours) * 0.9,
      now: ctx.now,
      onRecord: (rec) => {
        const r = parseNfct(rec, ctx.now());
        if (r.ok) this.onFlow(r.event);
        else this.counts.errors++;
      },
      onError: (e) => ctx.log.warn('conntrack listing failed', e),
    });
    this.bytes = new ByteCounters({
      everyMs: ctx.config.traffic.counterPollSeconds * 1000,
      now: ctx.now,
      isLan: (ip) => this.isLan(ip),
      boxAddresses: () => ctx.plan()?.boxAddresses ?? [],
      // unit tests run the feature without a store: the totals then live in memory only
      repo: ctx.repos.deviceBytes,
      onError: (e) => ctx.log.warn('device byte counters unreadable', e),
    });
  }

  /** Cold start: the neighbour table (and the inventory's addresses) are read before the
   *  sensors deliver the first flow, so its device is named by MAC whenever the box can know it. */
  async prepare(): Promise<void> {
    await this.neighbours?.refresh();
    this.neighboursRead = true;
    const n = this.neighbours;
    // From now on a flow whose device has no MAC yet waits for one fresh read of the tables.
    if (n) this.misses = new MacMisses({ reread: () => n.refresh(), macOf: (ip) => n.macOf(ip), judge: (f) => this.judge(f) });
  }

  private misses: MacMisses | null = null;

  private neighboursRead = false;

  start(): void {
    // The first read was done by prepare(); the timer keeps it fresh.
    this.neighbours?.start(!this.neighboursRead);
    this.poller?.start();
    this.bytes?.start();
    this.startDnsCapture();
    this.evict.start();
  }

  /** The LAN-side ports of the plan (as the DHCP capture uses them); none before the first apply. */
  private startDnsCapture(): void {
    const ctx = this.ctx;
    const ifaces = ctx?.plan()?.ifaces.lan ?? [];
    this.dnsPorts = ifaces.join(',');
    if (!ctx || !ctx.config.traffic.dnsNames.capture || ifaces.length === 0) return;
    this.dnsCapture = new DnsCapture({
      ifaces, now: ctx.now, recordDir: join(ctx.stateDir, CHILDREN_DIR), hub: ctx.capture,
      onAnswer: (payload, clientIp, at, serverIp) => this.onDnsAnswer(payload, clientIp, at, serverIp),
      onHealth: (h) => ctx.conditions.set(`sensor:${h.id}`, h.ok, h.detail),
    });
    this.dnsCapture.start();
  }

  /** The ports moved (re-worked out while running): the DNS capture follows the office ports. */
  async onPlan(): Promise<void> {
    const lan = this.ctx?.plan()?.ifaces.lan ?? [];
    if (lan.join(',') === this.dnsPorts) return;
    const cap = this.dnsCapture;
    this.dnsCapture = null;
    await cap?.stop();
    this.startDnsCapture();
  }

  private dnsPorts = '';
  private ticks = 0;

  /** Saves run one after another: two at once would share writeAtomic's temp file. */
  private saving: Promise<void> = Promise.resolve();

  /** Keeps the detector windows in the state dir (logged, never thrown: a full disk costs warm-up only). */
  private saveWindows(): Promise<void> {
    this.saving = this.saving.then(() => this.saveWindowsNow());
    return this.saving;
  }

  private async saveWindowsNow(): Promise<void> {
    const ctx = this.ctx, d = this.detectors;
    if (!ctx || !d) return;
    try {
      await saveWindows(ctx.stateDir, d, this.lastEventAt || ctx.now());
    } catch (e) {
      ctx.log.warn('detector windows could not be saved', e);
    }
  }

  async stop(): Promise<void> {
    this.neighbours?.stop();
    this.misses?.flush();
    this.poller?.stop();
    this.bytes?.stop();
    this.evict.stop();
    await this.saveWindows();
    const cap = this.dnsCapture;
    this.dnsCapture = null;
    await cap?.stop();
  }

  /** One DNS answer (UDP payload) sent to `clientIp` at `at` ms, by `serverIp` when known (the
   *  capture always knows; omitted, the sender counts as trusted). Never throws. */
  onDnsAnswer(payload: Uint8Array, clientIp: string, at: number, serverIp?: string): void {
    const dns = this.dns;
    if (!dns) return;
    try {
      if (dns.onAnswer(payload, clientIp, at, serverIp) > 0 && at > this.lastDnsAt) this.lastDnsAt = at;
    } catch (e) {
      this.counts.errors++;
      this.ctx?.log.error('DNS answer handling failed', e);
    }
  }

  private isLan(ip: string): boolean {
    const prefixes = this.ctx?.plan()?.lanPrefixes ?? [];
    if (this.isLanFor?.prefixes !== prefixes) this.isLanFor = { prefixes, fn: makeIsLan(prefixes) };
    return this.isLanFor.fn(ip);
  }

  /** One flow from the sensors (or the conntrack poller). Never throws. */
  onFlow(ev: FlowEvent): void {
    const { ctx, ingest, detectors } = this;
    if (!ctx || !ingest || !detectors) return;
    try {
      const flow = ingest.toRecord(ev);
      if (!flow) return;
      this.bytes?.onFlow(flow);
      if (flow.deviceMac === undefined && this.misses?.hold(flow)) return;
      this.judge(flow);
    } catch (e) {
      this.counts.errors++;
      ctx.log.error('flow handling failed', e);
    }
  }

  /** Runs the detectors on one record. Never throws. */
  private judge(flow: FlowRecord): void {
    const { ctx, detectors } = this;
    if (!ctx || !detectors) return;
    try {
      if (flow.end > this.lastEventAt) this.lastEventAt = flow.end;
      // Outbound only: the detectors look those names up anyway (the same LRU touch, no new one).
      this.recent.push(flow, flow.direction === 'outbound' ? this.dns?.nameOf(flow.remoteIp) : undefined);
      for (const f of detectors.onFlow(flow)) {
        this.counts.findings++;
        ctx.raise(f);
      }
    } catch (e) {
      this.counts.errors++;
      ctx.log.error('flow handling failed', e);
    }
  }

  /** A logged packet: our drop rules' hits feed the "keeps trying" rule. */
  onPacket(ev: PacketHit): void {
    const { ctx, detectors } = this;
    if (!ctx || !detectors) return;
    const pp = parseLogPrefix(ev.prefix, ctx.base.logPrefix);
    if (!pp || pp.action !== 'drop' || pp.dir !== 'out') return;
    this.counts.blocked++;
    try {
      for (const f of detectors.onBlocked({ at: ev.at, deviceIp: ev.srcIp, deviceMac: ev.srcMac, remoteIp: ev.dstIp, remotePort: ev.dstPort, feedId: pp.group })) {
        this.counts.findings++;
        ctx.raise(f);
      }
    } catch (e) {
      this.counts.errors++;
      ctx.log.error('blocked-packet handling failed', e);
    }
  }

  handlers(): Handlers {
    return {
      'traffic.bytes': () => ({ devices: this.bytes?.latest() ?? [], ...this.bytes?.stats }),
      'traffic.state': () => ({ sizes: this.detectors?.sizes() ?? {}, produced: this.detectors?.produced ?? {}, thresholds: this.thresholds, dns: this.dnsStatus() }),
      'traffic.names': (args) => this.names(args),
      'traffic.flows': (args) => this.flows(args),
    };
  }

  private dnsStatus(): Record<string, unknown> | null {
    if (!this.dns) return null;
    return { ...this.dns.status(), ...(this.dnsCapture ? this.dnsCapture.status() : { capture: [] }) };
  }

  /** `traffic.names`: the learned name of one address ({ ip }), or the first `limit` names. Throws CommandError on bad args. */
  private names(args: Record<string, unknown>): unknown {
    const a = parseArgs(NamesArgs, args);
    const cache = this.dns?.cache;
    if (!cache) return { names: [] };
    if (a.ip !== undefined) {
      const ip = normalizeIp(a.ip.trim())?.ip;
      if (ip === undefined) throw new CommandError(`not an address: ${a.ip}`);
      const e = cache.entry(ip);
      return { names: e ? [{ ip, ...e }] : [] };
    }
    return { names: cache.list(a.limit), total: cache.size };
  }

  /** `traffic.flows`: the latest judged flows, newest first ({ limit, device }). Throws CommandError on bad args. */
  private flows(args: Record<string, unknown>): unknown {
    const a = parseArgs(FlowsArgs, args);
    let device: string | undefined;
    if (a.device !== undefined) {
      device = normalizeIp(a.device.trim())?.ip;
      if (device === undefined) throw new CommandError(`not an address: ${a.device}`);
    }
    return { flows: this.recent.list(a.limit, device), seen: this.recent.seen };
  }

  /** The page's view model of the latest incidents (undefined before init). */
  views(): IncidentsView | undefined {
    const ctx = this.ctx;
    return ctx ? incidentsView({ ...ctx.repos, now: ctx.now, name: ctx.nameDevice }) : undefined;
  }

  status(): Record<string, unknown> {
    return {
      ingest: this.ingest?.counts ?? null,
      counts: this.counts,
      detectors: this.detectors ? { sizes: this.detectors.sizes(), produced: this.detectors.produced } : null,
      neighbours: this.neighbours ? { size: this.neighbours.size, ...this.neighbours.counts, misses: this.misses?.counts ?? null } : null,
      conntrack: this.poller?.counts ?? null,
      dns: this.dnsStatus(),
      deviceBytes: this.bytes ? { devices: this.bytes.latest().slice(0, 50), ...this.bytes.stats } : null,
      lastEventAt: this.lastEventAt || null,
    };
  }
}

const FlowsArgs = z.strictObject({
  limit: z.int().min(1).max(200).default(20),
  device: z.string().max(64).optional(),
});

const NamesArgs = z.strictObject({
  ip: z.string().max(64).optional(),
  limit: z.int().min(1).max(10_000).default(200),
});
