// What the office's own name lookups say about a destination (issue 15), two pieces of evidence
// a monitoring-centre analyst uses before calling anyone:
//  - by network: a service answers from many addresses of one network. When a PC connects to an
//    address nobody looked up by name, but the office looked up a name that answered from the
//    same network (/24, /48) lately, that network belongs to that name: a Windows PC keeping
//    its push channel on 20.199.120.151 while another PC looked up client.wns.windows.com at
//    20.199.120.85 is talking to Windows push, not to an unknown server.
//  - by device: some apps reach servers that DNS never names (a video bridge announced inside
//    the call, a music app's access point found through its own API). A flow on such an app's
//    documented port counts as that app only when the same device looked up the app's names
//    lately (rules/thresholds.json `appPorts`).
// Both are bounded (CappedMap) and forget after the window; per device only the names some
// `appPorts` entry asks about are kept (a handful), not everything it browses.
import { z } from 'zod';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { networkKey, registeredName } from './popularity.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';

/** Kept across a restart: each network's name [net key, name, last seen], and each device's
 *  watched names [device, [[registered name, last seen], …]]. */
export const OfficeNamesSnapshotSchema = z.strictObject({
  nets: z.array(z.tuple([z.string().max(100), z.string().max(253), z.number()])).max(1_000_000),
  devices: z.array(z.tuple([z.string().max(100), z.array(z.tuple([z.string().max(253), z.number()])).max(256)])).max(100_000),
});
export type OfficeNamesSnapshot = z.infer<typeof OfficeNamesSnapshotSchema>;

export class OfficeNames {
  private readonly nets: CappedMap<string, { name: string; lastSeen: number }>;
  private readonly byDevice: CappedMap<string, Map<string, number>>;
  private readonly watched: ReadonlySet<string>;

  /** `cap`: networks remembered; `devices`: devices remembered; `windowMs`: how long a sighting
   *  counts; `watched`: the names whose use per device matters (those of `appPorts` entries). */
  constructor(cap: number, devices: number, private readonly windowMs: number, private readonly nameOf: (ip: string) => string | undefined, watched: readonly string[]) {
    this.watched = new Set(watched.map(registeredName));
    this.nets = new CappedMap(cap);
    this.byDevice = new CappedMap(devices);
  }

  /** Notes the name (if the DNS sensor has one) behind an outbound flow's remote address. */
  note(flow: FlowRecord, device: string): void {
    if (flow.direction !== 'outbound') return;
    const name = this.nameOf(flow.remoteIp);
    if (name === undefined) return;
    const now = flow.end;
    this.nets.set(`net:${networkKey(flow.remoteIp)}`, { name, lastSeen: now });
    const reg = registeredName(name);
    if (!this.watched.has(reg)) return;
    this.byDevice.upsert(device, () => new Map<string, number>()).set(reg, now);
  }

  /** The name looked up for `ip` itself, else a name the office looked up in its network within the window. */
  nameByNetwork(ip: string, now: number): string | undefined {
    const own = this.nameOf(ip);
    if (own !== undefined) return own;
    const n = this.nets.peek(`net:${networkKey(ip)}`);
    return n !== undefined && n.lastSeen >= now - this.windowMs ? n.name : undefined;
  }

  /** Whether `device` looked up one of `names` (or a name under one) within the window. */
  deviceUsed(device: string, names: readonly string[], now: number): boolean {
    const mine = this.byDevice.peek(device);
    if (mine === undefined) return false;
    return names.some((s) => {
      const at = mine.get(registeredName(s));
      return at !== undefined && at >= now - this.windowMs;
    });
  }

  evict(now: number): void {
    this.nets.sweep((n) => n.lastSeen < now - this.windowMs);
    this.byDevice.sweep((m) => {
      for (const [k, at] of m) if (at < now - this.windowMs) m.delete(k);
      return m.size === 0;
    });
  }

  /** What was seen within the window of `now`, for a restart. */
  snapshot(now: number): OfficeNamesSnapshot { return materialized(this.snapshotRows(now)); }

  /** The same, read row by row when written (collections/rows.ts). */
  snapshotRows(now: number): Deferred<OfficeNamesSnapshot> {
    const from = now - this.windowMs;
    const nets = Rows.of(() => this.nets.keys(), (k): OfficeNamesSnapshot['nets'][number] | undefined => {
      const n = this.nets.peek(k);
      return n !== undefined && n.lastSeen >= from ? [k, n.name, n.lastSeen] : undefined;
    });
    const devices = Rows.of(() => this.byDevice.keys(), (d): OfficeNamesSnapshot['devices'][number] | undefined => {
      const names = [...this.byDevice.peek(d) ?? []].filter(([, at]) => at >= from);
      return names.length > 0 ? [d, names] : undefined;
    });
    return { nets, devices };
  }

  /** Takes back a snapshot; what was seen since the start is newer and kept. */
  restore(s: OfficeNamesSnapshot): void {
    for (const [k, name, lastSeen] of s.nets) if (this.nets.peek(k) === undefined) this.nets.set(k, { name, lastSeen });
    for (const [d, names] of s.devices) {
      const m = this.byDevice.upsert(d, () => new Map<string, number>());
      for (const [reg, at] of names) if ((m.get(reg) ?? -Infinity) < at) m.set(reg, at);
    }
  }

  size(): number { return this.nets.size + this.byDevice.size; }
}
