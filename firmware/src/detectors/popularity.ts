// "Widely used by the office" (issue 15): how many office devices used a destination recently,
// counted by network and by name, never by single address. A cloud service answers from many
// addresses in one network (Windows push, Delivery Optimization, an antivirus vendor), so four
// PCs behind the same Slack servers are one popular destination, not four rare ones. The name
// is the one the device looked up (DNS name sensor), cut to its registered part.
import { z } from 'zod';
import { ipv4Number, networkKeyOf } from '../net/ipText.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { DeviceIds } from './deviceIds.js';
import { DevicesByKey } from './devicesByKey.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';

/** The network an address belongs to for popularity: IPv4 /24, IPv6 /48. */
export function networkKey(ip: string): string {
  return networkKeyOf(ip) ?? ip;
}

/** The registered part of a name: "array614.prod.do.dsp.mp.microsoft.com" → "microsoft.com",
 *  "www.example.co.jp" → "example.co.jp" (a short second-level label is taken as a public suffix). */
export function registeredName(name: string): string {
  const labels = name.toLowerCase().split('.').filter((l) => l !== '');
  if (labels.length <= 2) return labels.join('.');
  const [sld = '', tld = ''] = labels.slice(-2);
  const take = sld.length <= 3 && tld.length === 2 ? 3 : 2;
  return labels.slice(-take).join('.');
}

/** Popularity as kept across a restart: [net:… or name:…, device keys, last seen (event ms)]. */
export const PopularitySnapshotSchema = z.array(z.tuple([z.string().max(300), z.array(z.string().max(100)).max(64), z.number()])).max(1_000_000);
export type PopularitySnapshot = z.infer<typeof PopularitySnapshotSchema>;

/** A popularity key: an IPv4 /24 as its number (address >>> 8), else `net:…` or `name:…` text. */
type PopKey = number | string;

/** The key of the network of `ip`: a number for IPv4 (no string per entry), `net:…` text else. */
export function networkSlotKey(ip: string): PopKey {
  const v4 = ipv4Number(ip);
  return v4 === undefined ? `net:${networkKey(ip)}` : v4 >>> 8;
}

/** The snapshot text of a key (`net:203.0.113.0/24` for an IPv4 network number). */
function keyText(k: PopKey): string {
  return typeof k === 'number' ? `net:${k >>> 16}.${(k >>> 8) & 255}.${k & 255}.0/24` : k;
}

/** A key read from a snapshot: IPv4 networks written as text become their number again. */
function keyOfText(t: string): PopKey {
  if (!t.startsWith('net:') || !t.endsWith('.0/24')) return t;
  const v4 = ipv4Number(t.slice(4, -3));
  return v4 !== undefined && keyText(v4 >>> 8) === t ? v4 >>> 8 : t;
}
/** The office's active devices as kept across a restart: [device key, last outbound flow (event ms)]. */
export const ActiveDevicesSnapshotSchema = z.array(z.tuple([z.string().max(100), z.number()])).max(1_000_000);
export type ActiveDevicesSnapshot = z.infer<typeof ActiveDevicesSnapshotSchema>;

export class OfficePopularity {
  /** Per destination (network or name): when last used, and the first `keep` devices that used it. */
  private readonly seen: DevicesByKey<PopKey>;
  /** Each device's last outbound flow (event ms), and how many were seen within the window, counted
   *  at most every 10 minutes of event time: rarity only means something in an office of several. */
  private readonly deviceLast: CappedMap<string, number>;
  private office = { count: 0, at: -Infinity };

  /** `cap`: destinations remembered; `keep`: most devices kept per destination (enough to decide);
   *  `ids`: the device ids shared with the other window tables. */
  constructor(cap: number, keep: number, private readonly windowMs: number, private readonly nameOf?: (ip: string) => string | undefined,
    ids: DeviceIds = new DeviceIds()) {
    this.seen = new DevicesByKey<PopKey>(cap, keep, ids);
    this.deviceLast = new CappedMap(cap);
  }

  private keys(ip: string): PopKey[] {
    const n = this.nameOf?.(ip);
    return n === undefined ? [networkSlotKey(ip)] : [networkSlotKey(ip), `name:${registeredName(n)}`];
  }

  /** Notes that the flow's device used its destination (outbound flows only). */
  note(flow: FlowRecord, device: string): void {
    if (flow.direction !== 'outbound') return;
    const now = flow.end;
    this.deviceLast.set(device, now);
    for (const k of this.keys(flow.remoteIp)) this.seen.note(k, device, now);
  }

  /** How many devices (at most `keep`) used the destination's network or name within the window; which one. */
  devices(ip: string, now: number): { count: number; by: 'network' | 'name' } {
    let best = { count: 0, by: 'network' as 'network' | 'name' };
    for (const k of this.keys(ip)) {
      const s = this.seen.peek(k);
      if (s === undefined || this.seen.lastSeen(s) < now - this.windowMs) continue;
      if (this.seen.used(s) > best.count) best = { count: this.seen.used(s), by: typeof k === 'string' && k.startsWith('name:') ? 'name' : 'network' };
    }
    return best;
  }

  /** How many office devices made an outbound flow within the window (recounted every 10 minutes). */
  officeDevices(now: number): number {
    if (now - this.office.at >= 600_000 || now < this.office.at) {
      let n = 0;
      for (const [, at] of this.deviceLast.entries()) if (at >= now - this.windowMs) n++;
      this.office = { count: n, at: now };
    }
    return this.office.count;
  }

  evict(now: number): void {
    this.seen.forgetBefore(now - this.windowMs);
    this.deviceLast.sweep((at) => at < now - this.windowMs);
  }

  /** Destinations used within the window of `now`, for a restart. */
  snapshot(now: number): PopularitySnapshot { return materialized<PopularitySnapshot>(this.snapshotRows(now)); }

  /** The same, read row by row when written (collections/rows.ts). */
  snapshotRows(now: number): Deferred<PopularitySnapshot> {
    return Rows.of(() => this.seen.keys(), (k): PopularitySnapshot[number] | undefined => {
      const s = this.seen.peek(k);
      return s !== undefined && this.seen.lastSeen(s) >= now - this.windowMs ? [keyText(k), this.seen.devices(s), this.seen.lastSeen(s)] : undefined;
    });
  }

  /** Takes back a snapshot (destinations already present are kept as they are). */
  restore(s: PopularitySnapshot): void {
    for (const [t, devices, lastSeen] of s) this.seen.restore(keyOfText(t), devices, lastSeen);
  }

  /** Devices with an outbound flow within the window of `now`, for a restart. */
  snapshotDevices(now: number): ActiveDevicesSnapshot { return materialized<ActiveDevicesSnapshot>(this.snapshotDevicesRows(now)); }

  /** The same, read row by row when written (collections/rows.ts). */
  snapshotDevicesRows(now: number): Deferred<ActiveDevicesSnapshot> {
    return Rows.of(() => this.deviceLast.keys(), (d): ActiveDevicesSnapshot[number] | undefined => {
      const at = this.deviceLast.peek(d);
      return at !== undefined && at >= now - this.windowMs ? [d, at] : undefined;
    });
  }

  /** Takes back the active devices (a later sighting already present is kept); recounts them next time. */
  restoreDevices(s: ActiveDevicesSnapshot): void {
    for (const [d, at] of s) if (!((this.deviceLast.peek(d) ?? -Infinity) >= at)) this.deviceLast.set(d, at);
    this.office = { count: 0, at: -Infinity };
  }

  size(): number { return this.seen.size; }
}
