// Long connections: a flow open for an hour or more (seen through conntrack update events or
// at its end) to a destination that few devices in the office contact. Remote shells and
// tunnels look like this; shared services (push notifications, cloud sync) are used by many.
// Memory: destination popularity is capped (`caps.destinations`), each remembering at most
// maxDevices+1 device ids (DeviceIds) in a typed column of its slot (CappedSlots), keyed by the
// IPv4 address as a number (text for IPv6): no string, object or array per destination.
import { z } from 'zod';
import type { Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { CappedSlots, grown } from '../collections/cappedSlots.js';
import { ipv4Number } from '../net/ipText.js';
import { DeviceIds } from './deviceIds.js';
import { deviceKey, deviceRef, type DetectorContext, type FlowDetector } from './context.js';

/** A destination key: the IPv4 address as a number, else its text. */
type DestKey = number | string;
const destKey = (ip: string): DestKey => ipv4Number(ip) ?? ip;

const WEB_PORTS: ReadonlySet<number> = new Set([80, 443]);

/** The long-connection windows kept across a restart: when the box started watching, which devices
 *  used each address ([address, device keys, last seen]) and when each connection was last reported
 *  ([device|address|port, event ms]), so that connections open across the restart are not reported again. */
export const LongConnSnapshotSchema = z.strictObject({
  observedSince: z.number().nullable(),
  dests: z.array(z.tuple([z.string().max(100), z.array(z.string().max(100)).max(64), z.number()])).max(1_000_000),
  reported: z.array(z.tuple([z.string().max(300), z.number()])).max(1_000_000),
});
export type LongConnSnapshot = z.infer<typeof LongConnSnapshotSchema>;

export class LongConnectionDetector implements FlowDetector {
  readonly name = 'long_connection';
  // Per destination (slot): when last used (event ms), and up to `keep` device ids in order.
  private readonly dests: CappedSlots<DestKey>;
  private destSeen = new Float64Array(0);
  private destDevs = new Int32Array(0);
  private destCount = new Uint8Array(0);
  private readonly keep: number;
  private readonly reported: CappedMap<string, number>;
  private observedSince: number | undefined;

  /** `ids`: the device ids shared with the other window tables. */
  constructor(private readonly ctx: DetectorContext, private readonly ids: DeviceIds = new DeviceIds()) {
    const keep = this.keep = ctx.c.t.longConnection.maxDevices + 1;
    this.dests = new CappedSlots<DestKey>(ctx.c.t.caps.destinations, {
      grow: (n) => {
        this.destSeen = grown(this.destSeen, n, (k) => new Float64Array(k));
        this.destDevs = grown(this.destDevs, n * keep, (k) => new Int32Array(k));
        this.destCount = grown(this.destCount, n, (k) => new Uint8Array(k));
      },
      drop: (slot) => {
        for (let i = 0; i < (this.destCount[slot] ?? 0); i++) this.ids.unref(this.destDevs[slot * keep + i] ?? 0);
        this.destCount[slot] = 0;
      },
    });
    this.reported = new CappedMap(ctx.c.t.caps.devices);
  }

  size(): number { return this.dests.size + this.reported.size; }

  onFlow(flow: FlowRecord): Finding[] {
    if (flow.direction !== 'outbound') return [];
    const c = this.ctx.c, l = c.t.longConnection;
    const now = flow.event === 'new' ? flow.start : flow.end;
    this.observedSince ??= flow.start;
    const dk = deviceKey(flow);
    const { slot: dest } = this.dests.upsert(destKey(flow.remoteIp));
    this.destSeen[dest] = now;
    if (this.usedBy(dest) <= l.maxDevices && !this.holds(dest, dk)) this.add(dest, dk);
    const age = flow.end - flow.start;
    if (age < c.hours(l.minHours)) return [];
    if (this.usedBy(dest) > l.maxDevices) return [];
    // Counted by network and name too (DetectorSet): many addresses of one service are one destination.
    const used = this.ctx.usedBy?.(flow);
    if (used !== undefined && used.count > l.maxDevices) return [];
    if (now - this.observedSince < c.hours(l.minObservedHours)) return [];
    if (this.ctx.allowed(flow, 'long_connection') !== undefined) return [];
    const key = `${dk}|${flow.remoteIp}|${flow.remotePort ?? ''}`;
    const last = this.reported.peek(key);
    if (last !== undefined && now - last < c.hours(l.reportEveryHours)) return [];
    this.reported.set(key, now);
    const hours = Math.round((age / 3_600_000) * 10) / 10;
    return [{
      // A long connection on a web port is what chat, music and video apps keep open all day (measured on
      // four real PCs: Slack, Spotify, Overleaf, Jitsi); alone it is no reason to call anyone, so there it
      // only adds to a device's open incident. On other ports (a remote shell on 22) it stands alone.
      corroborating: WEB_PORTS.has(flow.remotePort ?? -1),
      kind: 'long_connection', severity: 'warning', dedupKey: `long_connection:${dk}:${flow.remoteIp}:${flow.remotePort ?? ''}`,
      at: now, device: deviceRef(flow), remote: { ip: flow.remoteIp, port: flow.remotePort }, direction: 'outbound', action: 'none',
      params: { device: flow.deviceIp, remote: flow.remoteIp, port: flow.remotePort, hours },
      evidence: {
        durationHours: hours, stillOpen: flow.event !== 'end', proto: flow.proto, bytesOut: flow.bytesOut, bytesIn: flow.bytesIn,
        pktsOut: flow.pktsOut, pktsIn: flow.pktsIn, devicesUsingDestination: this.usedBy(dest),
        devicesUsingNetworkOrName: used?.count ?? null, rareAtMost: l.maxDevices,
      },
    }];
  }

  /** How many devices (at most maxDevices+1) used destination `slot`. */
  private usedBy(slot: number): number { return this.destCount[slot] ?? 0; }

  private holds(slot: number, device: string): boolean {
    const id = this.ids.find(device);
    if (id === undefined) return false;
    for (let i = 0; i < this.usedBy(slot); i++) if (this.destDevs[slot * this.keep + i] === id) return true;
    return false;
  }

  private add(slot: number, device: string): void {
    const n = this.usedBy(slot);
    this.destDevs[slot * this.keep + n] = this.ids.ref(device);
    this.destCount[slot] = n + 1;
  }

  /** Addresses used and reports made within their windows of `now`, for a restart. */
  snapshot(now: number): LongConnSnapshot {
    const c = this.ctx.c, l = c.t.longConnection;
    const dests: LongConnSnapshot['dests'] = [], reported: LongConnSnapshot['reported'] = [];
    for (const [k, s] of this.dests.entries()) {
      if ((this.destSeen[s] ?? 0) < now - c.hours(l.popularityHours)) continue;
      const devices: string[] = [];
      for (let i = 0; i < this.usedBy(s); i++) devices.push(this.ids.key(this.destDevs[s * this.keep + i] ?? 0));
      dests.push([typeof k === 'number' ? `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}` : k, devices, this.destSeen[s] ?? 0]);
    }
    for (const [k, at] of this.reported.entries()) if (at >= now - c.hours(l.reportEveryHours)) reported.push([k, at]);
    return { observedSince: this.observedSince ?? null, dests, reported };
  }

  /** Takes back a snapshot (addresses and reports already present are kept as they are). */
  restore(s: LongConnSnapshot): void {
    if (s.observedSince !== null) this.observedSince = Math.min(this.observedSince ?? Infinity, s.observedSince);
    for (const [ip, devices, lastSeen] of s.dests) {
      const k = destKey(ip);
      if (this.dests.peek(k) !== undefined) continue;
      const { slot } = this.dests.upsert(k);
      this.destSeen[slot] = lastSeen;
      for (const d of devices.slice(0, this.keep)) this.add(slot, d);
    }
    for (const [k, at] of s.reported) if (this.reported.peek(k) === undefined) this.reported.set(k, at);
  }

  evict(now: number): void {
    const c = this.ctx.c;
    this.dests.sweep((d) => (this.destSeen[d] ?? 0) < now - c.hours(c.t.longConnection.popularityHours));
    this.reported.sweep((at) => at < now - c.hours(c.t.longConnection.reportEveryHours));
  }
}
