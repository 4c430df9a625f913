// An immutable map of devices keyed by MAC with cheap updates. The inventory reducer returns
// a new state for every observation; copying a 5,000-entry Map each time cost ~2 ms per
// packet (measured in test/bench/devices.bench.ts). Sharding by MAC lets an update copy one shard
// of ~size/64 entries plus a 64-slot array instead.
import type { Device } from './model.js';

const SHARDS = 64;

function shardOf(mac: string): number {
  // The last two octets vary most between devices (and are random for private MACs).
  let h = 0;
  for (let i = mac.length - 5; i < mac.length; i++) h = (h * 31 + mac.charCodeAt(i)) | 0;
  return (h >>> 0) % SHARDS;
}

/** The shard that holds `mac` (every table has all SHARDS shards). */
function shardIn<M extends ReadonlyMap<string, Device>>(shards: readonly M[], mac: string): M {
  const s = shards[shardOf(mac)];
  if (s === undefined) throw new RangeError(`device table has no shard for ${mac}`);
  return s;
}

export class DeviceTable {
  private constructor(private readonly shards: ReadonlyArray<ReadonlyMap<string, Device>>, readonly size: number) {}

  /** An empty table. */
  static empty(): DeviceTable {
    return new DeviceTable(Array.from({ length: SHARDS }, () => new Map<string, Device>()), 0);
  }

  /** Builds a table from records (e.g. read back from the store). Later duplicates win. */
  static from(devices: Iterable<Device>): DeviceTable {
    const shards = Array.from({ length: SHARDS }, () => new Map<string, Device>());
    for (const d of devices) shardIn(shards, d.mac).set(d.mac, d);
    return new DeviceTable(shards, shards.reduce((n, s) => n + s.size, 0));
  }

  get(mac: string): Device | undefined {
    return shardIn(this.shards, mac).get(mac);
  }

  has(mac: string): boolean {
    return shardIn(this.shards, mac).has(mac);
  }

  /** A new table with `d` stored under d.mac; this table is unchanged. */
  set(d: Device): DeviceTable {
    const i = shardOf(d.mac);
    const old = shardIn(this.shards, d.mac);
    const next = new Map(old);
    next.set(d.mac, d);
    const shards = this.shards.slice();
    shards[i] = next;
    return new DeviceTable(shards, this.size + (old.has(d.mac) ? 0 : 1));
  }

  /** A new table without `mac`; this table is unchanged. */
  delete(mac: string): DeviceTable {
    const i = shardOf(mac);
    const old = shardIn(this.shards, mac);
    if (!old.has(mac)) return this;
    const next = new Map(old);
    next.delete(mac);
    const shards = this.shards.slice();
    shards[i] = next;
    return new DeviceTable(shards, this.size - 1);
  }

  *values(): IterableIterator<Device> {
    for (const s of this.shards) yield* s.values();
  }
}
