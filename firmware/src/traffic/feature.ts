// TrafficFeature: the anomalous-traffic detectors plugged into utmd. Per flow datagram:
// parse → MAC from the neighbour table → detectors → ctx.raise (the pipeline then applies
// mutes, blocked-suppression, dedup/cooldown and incidents). NFLOG drops feed the threat-intel
// detector's "keeps trying" rule; open connections are polled for long-lived ones; window
// state is evicted every minute with the latest event time.
import type { Feature, FeatureContext } from '../app/feature.js';
import type { Handlers } from '../app/commands.js';
import { parseLogPrefix, type PacketHit } from '../alerts/fromPacket.js';
import { collectorAllowEntry, DetectorSet, type ListedLookup } from '../detectors/index.js';
import { clocked, type Thresholds } from '../detectors/thresholds.js';
import { CidrSet, makeIsLan } from '../flows/cidr.js';
import type { FlowEvent } from '../sensors/events.js';
import type { WebExtensions } from '../../../webui/src/index.js';
import { ByteCounters } from './byteCounters.js';
import { ConntrackPoller } from './conntrackList.js';
import { FlowIngest } from './ingest.js';
import { NeighbourTable, type KnownDevice } from './neighbours.js';
import { loadThresholds } from './thresholdsFile.js';
import { incidentSection } from './page.js';

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

export class TrafficFeature implements Feature {
  readonly id = 'traffic';
  private ctx: FeatureContext | null = null;
  private thresholds: Thresholds | null = null;
  private detectors: DetectorSet | null = null;
  private ingest: FlowIngest | null = null;
  private neighbours: NeighbourTable | null = null;
  private poller: ConntrackPoller | null = null;
  private bytes: ByteCounters | null = null;
  private evictTimer: NodeJS.Timeout | null = null;
  private lastEventAt = 0;
  private isLanFor: { prefixes: readonly string[]; fn: (ip: string) => boolean } | null = null;
  readonly counts = { findings: 0, blocked: 0, errors: 0 };

  constructor(private readonly o: TrafficOptions) {}

  /** Loads thresholds and builds the detectors; throws ThresholdsError on a bad file. */
  init(ctx: FeatureContext): void {
    this.ctx = ctx;
    const t = loadThresholds({ root: this.o.root, file: ctx.config.traffic.thresholdsFile, timeScale: ctx.config.traffic.timeScale });
    this.thresholds = t;
    const collector = ctx.config.upstream?.host ?? ctx.provisioning?.upstream.host;
    this.detectors = new DetectorSet({
      thresholds: t,
      listed: this.o.listed ?? localListed(ctx.config.blocklist.local),
      extraAllow: collector ? [collectorAllowEntry(collector)] : [],
    });
    this.neighbours = new NeighbourTable(NEIGH_MS, (e) => ctx.log.warn('neighbour table unreadable', e), this.o.devices);
    this.ingest = new FlowIngest({ isLan: (ip) => this.isLan(ip), macOf: (ip) => this.neighbours?.macOf(ip), now: ctx.now });
    const c = clocked(t);
    this.poller = new ConntrackPoller({
      everyMs: ctx.config.traffic.conntrackPollSeconds * 1000,
      // Hand on a little before the threshold so the detector itself decides at the edge.
      minAgeMs: () => c.hours(t.longConnection.minHours) * 0.9,
      now: ctx.now,
      onRecord: (rec) => this.onFlow({ type: 'flow', at: ctx.now(), ctEvent: 2, record: rec }),
      onError: (e) => ctx.log.warn('conntrack listing failed', e),
    });
    this.bytes = new ByteCounters({
      nft: (args) => ctx.nft.exec(args),
      table: ctx.base.tableName,
      everyMs: ctx.config.traffic.counterPollSeconds * 1000,
      onError: (e) => ctx.log.warn('device byte counters unreadable', e),
    });
  }

  start(): void {
    this.neighbours?.start();
    this.poller?.start();
    this.bytes?.start();
    this.evictTimer = setInterval(() => this.detectors?.evict(this.lastEventAt || (this.ctx?.now() ?? 0)), EVICT_MS);
    this.evictTimer.unref();
  }

  stop(): void {
    this.neighbours?.stop();
    this.poller?.stop();
    this.bytes?.stop();
    if (this.evictTimer) clearInterval(this.evictTimer);
    this.evictTimer = null;
  }

  private isLan(ip: string): boolean {
    const prefixes = this.ctx?.plan()?.lanPrefixes ?? [];
    if (this.isLanFor?.prefixes !== prefixes) this.isLanFor = { prefixes, fn: makeIsLan(prefixes) };
    return this.isLanFor.fn(ip);
  }

  /** One flow from the sensors (or the conntrack poller). Never throws. */
  onFlow(ev: unknown): void {
    const { ctx, ingest, detectors } = this;
    if (!ctx || !ingest || !detectors || !isFlowEvent(ev)) return;
    try {
      const flow = ingest.toRecord(ev);
      if (!flow) return;
      if (flow.end > this.lastEventAt) this.lastEventAt = flow.end;
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
      'traffic.state': () => ({ sizes: this.detectors?.sizes() ?? {}, produced: this.detectors?.produced ?? {}, thresholds: this.thresholds }),
    };
  }

  web(): WebExtensions {
    const ctx = this.ctx;
    if (!ctx) return {};
    return { sections: [incidentSection({ db: ctx.db, provisioning: ctx.provisioning, now: ctx.now })] };
  }

  status(): Record<string, unknown> {
    return {
      timeScale: this.thresholds?.timeScale ?? null,
      ingest: this.ingest?.counts ?? null,
      counts: this.counts,
      detectors: this.detectors ? { sizes: this.detectors.sizes(), produced: this.detectors.produced } : null,
      neighbours: this.neighbours ? { size: this.neighbours.size, ...this.neighbours.counts } : null,
      conntrack: this.poller?.counts ?? null,
      deviceBytes: this.bytes ? { devices: this.bytes.latest().slice(0, 50), ...this.bytes.stats } : null,
      lastEventAt: this.lastEventAt || null,
    };
  }
}

function isFlowEvent(ev: unknown): ev is FlowEvent {
  return typeof ev === 'object' && ev !== null && (ev as { type?: unknown }).type === 'flow' &&
    typeof (ev as { record?: unknown }).record === 'object' && (ev as { record?: unknown }).record !== null;
}
