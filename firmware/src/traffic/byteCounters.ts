// Per-device byte counters kept by the kernel: the ruleset's dynamic sets `dev_tx_v4|v6`
// and `dev_rx_v4|v6` hold one element per office address with a counter, updated in the
// packet path (nft/render.ts). Reading them lists only these four small sets — never the
// ruleset or the large blocklist sets — once a minute.
import type { RulesetSets } from '../nft/backend.js';
import { Poller } from '../time/poller.js';
import { DEVICE_COUNTER_SETS } from '../nft/policy.js';
import { isValidAddress } from '../net/ip.js';

export interface DeviceBytes {
  ip: string;
  txBytes: number;
  rxBytes: number;
  txPackets: number;
  rxPackets: number;
}

type Counts = Map<string, { bytes: number; packets: number }>;

/** Reads the elements of one `nft -j list set` answer; anything malformed is skipped and counted. */
export function parseCounterSet(json: string): { counts: Counts; skipped: number } {
  const counts: Counts = new Map();
  let skipped = 0;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return { counts, skipped: 1 };
  }
  const items = (doc as { nftables?: unknown[] })?.nftables;
  for (const item of Array.isArray(items) ? items : []) {
    const set = (item as { set?: { elem?: unknown[] } }).set;
    for (const e of set?.elem ?? []) {
      const el = (e as { elem?: { val?: unknown; counter?: { bytes?: unknown; packets?: unknown } } }).elem;
      const val = el?.val;
      const bytes = el?.counter?.bytes;
      const packets = el?.counter?.packets;
      if (typeof val !== 'string' || !isValidAddress(val) || typeof bytes !== 'number' || typeof packets !== 'number' || bytes < 0 || packets < 0) {
        skipped++;
        continue;
      }
      counts.set(val, { bytes, packets });
    }
  }
  return { counts, skipped };
}

/** Joins the sent and received counts per device address, largest senders first. */
export function joinCounts(tx: Counts, rx: Counts): DeviceBytes[] {
  const ips = new Set([...tx.keys(), ...rx.keys()]);
  return [...ips]
    .map((ip) => ({
      ip,
      txBytes: tx.get(ip)?.bytes ?? 0, rxBytes: rx.get(ip)?.bytes ?? 0,
      txPackets: tx.get(ip)?.packets ?? 0, rxPackets: rx.get(ip)?.packets ?? 0,
    }))
    .sort((a, b) => b.txBytes - a.txBytes || a.ip.localeCompare(b.ip));
}

export interface ByteCounterOptions {
  /** Lists our sets (the ruleset backend). */
  ruleset: Pick<RulesetSets, 'listSet'>;
  everyMs: number;
  onError: (e: unknown) => void;
}

/** Polls the four counter sets; `latest()` is what `utmctl status` and the page show. */
export class ByteCounters {
  private readonly poller: Poller;
  private devices: DeviceBytes[] = [];
  readonly stats = { polls: 0, skipped: 0, lastPollMs: 0 };

  constructor(private readonly o: ByteCounterOptions) {
    this.poller = new Poller({ everyMs: o.everyMs, run: () => this.poll() });
  }

  start(): void {
    this.poller.start(true);
  }

  stop(): void {
    this.poller.stop();
  }

  latest(): DeviceBytes[] {
    return this.devices;
  }

  /** One reading of all four sets. Errors are reported, never thrown. */
  async poll(): Promise<void> {
    const t0 = performance.now();
    try {
      const read = async (name: string): Promise<Counts> => {
        const r = parseCounterSet(await this.o.ruleset.listSet('inet', name).catch(() => '{}'));
        this.stats.skipped += r.skipped;
        return r.counts;
      };
      const merge = (a: Counts, b: Counts): Counts => new Map([...a, ...b]);
      const tx = merge(await read(DEVICE_COUNTER_SETS.tx[4]), await read(DEVICE_COUNTER_SETS.tx[6]));
      const rx = merge(await read(DEVICE_COUNTER_SETS.rx[4]), await read(DEVICE_COUNTER_SETS.rx[6]));
      this.devices = joinCounts(tx, rx);
      this.stats.polls++;
    } catch (e) {
      this.o.onError(e);
    } finally {
      this.stats.lastPollMs = performance.now() - t0;
    }
  }
}
