// Adapter: polls the kernel's own knowledge of who is on the LAN — the neighbour tables
// (`ip -j neigh`, IPv4 and IPv6), the bridge FDB (`bridge -j fdb`, bridge mode) and the
// dynamic (MAC, IPv4) set the ruleset fills in the packet path (`nft -j list set`) — and turns
// it into sightings. Each poll is timed so the cost is visible in `utmctl status`.
import type { RulesetSets } from '../nft/backend.js';
import { LAN_SEEN_SET } from '../nft/render.js';
import { Poller } from '../time/poller.js';
import { parseFdb, parseMacIpSet, parseNeighbours, readBridgeFdb, readNeighbourTable, type Sighting } from '../net/neighbours.js';

export interface LanView {
  mode: 'bridge' | 'router';
  /** Bridge mode: the bridge; router mode: undefined. */
  bridge?: string | undefined;
  /** LAN-side ports (bridge mode) or interfaces (router mode). */
  lan: readonly string[];
}

export interface KernelTablesOptions {
  view: () => LanView | null;
  ruleset: Pick<RulesetSets, 'listSet'>;
  onSightings: (source: 'fdb' | 'neigh' | 'nftset', s: Sighting[]) => void;
  onError: (what: string, e: unknown) => void;
  neighIntervalMs?: number | undefined;
  setIntervalMs?: number | undefined;
}

export interface PollStats { polls: number; sightings: number; skipped: number; errors: number; lastMs: number | null; maxMs: number }

/** How often the sightings set (`lan_seen`) is read: a device seen only there (a fixed address,
 *  no DHCP, no neighbour entry on the box) reaches the inventory within one period. */
export const SET_READ_MS = 60_000;

const fresh = (): PollStats => ({ polls: 0, sightings: 0, skipped: 0, errors: 0, lastMs: null, maxMs: 0 });

export class KernelTables {
  private readonly neigh: Poller;
  private readonly set: Poller;
  readonly stats = { neigh: fresh(), nftset: fresh() };

  constructor(private readonly o: KernelTablesOptions) {
    this.neigh = new Poller({ everyMs: o.neighIntervalMs ?? 30_000, run: () => this.readNeighbours() });
    this.set = new Poller({ everyMs: o.setIntervalMs ?? SET_READ_MS, run: () => this.readSet() });
  }

  start(): void {
    this.neigh.start(true);
    this.set.start();
  }

  stop(): void {
    this.neigh.stop();
    this.set.stop();
  }

  /** Reads the FDB and neighbour tables once (or joins a read under way). Never rejects. */
  pollNeighbours(): Promise<void> {
    return this.neigh.runNow();
  }

  /** Reads the kernel's (MAC, IPv4) set once (or joins a read under way). Never rejects. */
  pollSet(): Promise<void> {
    return this.set.runNow();
  }

  private async readNeighbours(): Promise<void> {
    const v = this.o.view();
    if (v === null) return;
    await this.timed(this.stats.neigh, async () => {
      let lanMacs: Set<string> | null = null;
      let skipped = 0;
      const out: Sighting[] = [];
      if (v.mode === 'bridge' && v.bridge) {
        const fdb = parseFdb(await readBridgeFdb(v.bridge), v.bridge, v.lan);
        this.o.onSightings('fdb', fdb.sightings);
        lanMacs = new Set(fdb.sightings.map((s) => s.mac));
        skipped += fdb.skipped;
        out.push(...fdb.sightings);
      }
      const devs = v.mode === 'bridge' && v.bridge ? [v.bridge] : [...v.lan];
      const neigh = parseNeighbours(await readNeighbourTable(), devs);
      // Bridge mode: the neighbour table also holds the internet router, which sits behind the
      // WAN port; only stations the FDB places on a LAN port are office devices.
      const ns = lanMacs === null ? neigh.sightings : neigh.sightings.filter((s) => lanMacs.has(s.mac));
      this.o.onSightings('neigh', ns);
      return { sightings: out.length + ns.length, skipped: skipped + neigh.skipped + (neigh.sightings.length - ns.length) };
    });
  }

  private async readSet(): Promise<void> {
    const v = this.o.view();
    if (v === null) return;
    await this.timed(this.stats.nftset, async () => {
      const r = parseMacIpSet(await this.o.ruleset.listSet('inet', LAN_SEEN_SET)); // inet in both modes (nft/render.ts)
      this.o.onSightings('nftset', r.sightings);
      return { sightings: r.sightings.length, skipped: r.skipped };
    });
  }

  private async timed(s: PollStats, fn: () => Promise<{ sightings: number; skipped: number }>): Promise<void> {
    const t0 = performance.now();
    try {
      const r = await fn();
      s.sightings += r.sightings;
      s.skipped += r.skipped;
    } catch (e) {
      s.errors++;
      this.o.onError('kernel table poll', e);
    } finally {
      s.polls++;
      s.lastMs = Math.round((performance.now() - t0) * 10) / 10;
      s.maxMs = Math.max(s.maxMs, s.lastMs);
    }
  }
}
