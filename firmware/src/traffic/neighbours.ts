// The box's neighbour table (ARP / NDP), read with `ip -j neigh show` every few seconds, so
// flow records (which carry no MAC) can name the LAN device by its MAC.
import { neighbourMacs, parseMacIpSet, readNeighbourTable } from '../net/neighbours.js';
import { Poller } from '../time/poller.js';

/** A device as another feature knows it (the devices inventory): its MAC and addresses. */
export interface KnownDevice { mac: string; ipv4: readonly string[]; ipv6: readonly string[] }

export class NeighbourTable {
  private table = new Map<string, string>();
  private known = new Map<string, string>();
  private readonly poller: Poller;
  readonly counts = { refreshes: 0, failures: 0 };

  /** `devices`: the inventory's view, for bridge mode, where the box itself never ARPs for the
   *  office's hosts and so its neighbour table lacks them. */
  private seen = new Map<string, string>();

  /** `readSeen`: the ruleset's (MAC, IPv4) set as `nft -j list set` prints it: what the kernel
   *  saw in the packet path, the one place bridge mode learns a new device's address at once. */
  constructor(private readonly everyMs: number, private readonly onError: (e: unknown) => void,
    private readonly devices?: () => Iterable<KnownDevice>, private readonly readSeen?: () => Promise<string>) {
    this.poller = new Poller({ everyMs, run: () => this.refresh() });
  }

  macOf(ip: string): string | undefined {
    return this.table.get(ip) ?? this.known.get(ip) ?? this.seen.get(ip);
  }

  get size(): number { return this.table.size + this.known.size + this.seen.size; }

  private async refreshSeen(): Promise<void> {
    if (!this.readSeen) return;
    const m = new Map<string, string>();
    for (const s of parseMacIpSet(await this.readSeen()).sightings) if (s.ipv4 !== undefined) m.set(s.ipv4, s.mac);
    this.seen = m;
  }

  private refreshKnown(): void {
    if (!this.devices) return;
    const m = new Map<string, string>();
    for (const d of this.devices()) {
      // Most recent address first: a reused address belongs to the device that has it now.
      for (const ip of [...d.ipv4, ...d.ipv6]) if (!m.has(ip)) m.set(ip.toLowerCase(), d.mac.toLowerCase());
    }
    this.known = m;
  }

  /** Reads the table once; a failure keeps the previous table. */
  async refresh(): Promise<void> {
    try {
      this.refreshKnown();
      this.table = neighbourMacs(await readNeighbourTable(5000));
      await this.refreshSeen();
      this.counts.refreshes++;
    } catch (e) {
      this.counts.failures++;
      this.onError(e);
    }
  }

  /** Refreshes every `everyMs`; `readNow`: also once at once (default). */
  start(readNow = true): void {
    this.poller.start(readNow);
  }

  stop(): void {
    this.poller.stop();
  }
}
