// Long connections: a flow open for an hour or more (seen through conntrack update events or
// at its end) to a destination that few devices in the office contact. Remote shells and
// tunnels look like this; shared services (push notifications, cloud sync) are used by many.
// Memory: destination popularity is capped (`caps.destinations`), each remembering at most
// maxDevices+1 device ids (DevicesByKey), keyed by the IPv4 address as a number (text for IPv6):
// no string, object or array per destination.
import { z } from 'zod';
import type { Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { ipv4Number, ipv4Text } from '../net/ipText.js';
import { DeviceIds } from './deviceIds.js';
import { DevicesByKey } from './devicesByKey.js';
import { deviceKey, deviceRef, type DetectorContext, type FlowDetector } from './context.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';

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
  /** Per destination address: when last used (event ms), and the first maxDevices+1 devices. */
  private readonly dests: DevicesByKey<DestKey>;
  private readonly reported: CappedMap<string, number>;
  private observedSince: number | undefined;

  /** `ids`: the device ids shared with the other window tables. */
  constructor(private readonly ctx: DetectorContext, ids: DeviceIds = new DeviceIds()) {
    this.dests = new DevicesByKey<DestKey>(ctx.c.t.caps.destinations, ctx.c.t.longConnection.maxDevices + 1, ids);
    this.reported = new CappedMap(ctx.c.t.caps.devices);
  }

  size(): number { return this.dests.size + this.reported.size; }

  onFlow(flow: FlowRecord): Finding[] {
    if (flow.direction !== 'outbound') return [];
    const c = this.ctx.c, l = c.t.longConnection;
    const now = flow.event === 'new' ? flow.start : flow.end;
    this.observedSince ??= flow.start;
    const dk = deviceKey(flow);
    const dest = this.dests.note(destKey(flow.remoteIp), dk, now);
    const age = flow.end - flow.start;
    if (age < c.hours(l.minHours)) return [];
    if (this.dests.used(dest) > l.maxDevices) return [];
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
        pktsOut: flow.pktsOut, pktsIn: flow.pktsIn, devicesUsingDestination: this.dests.used(dest),
        devicesUsingNetworkOrName: used?.count ?? null, rareAtMost: l.maxDevices,
      },
    }];
  }

  /** Addresses used and reports made within their windows of `now`, for a restart. */
  snapshot(now: number): LongConnSnapshot { return materialized(this.snapshotRows(now)); }

  /** The same, read row by row when written (collections/rows.ts). */
  snapshotRows(now: number): Deferred<LongConnSnapshot> {
    const c = this.ctx.c, l = c.t.longConnection;
    const dests = Rows.of(() => this.dests.keys(), (k): LongConnSnapshot['dests'][number] | undefined => {
      const s = this.dests.peek(k);
      const seen = s === undefined ? -Infinity : this.dests.lastSeen(s);
      return s !== undefined && seen >= now - c.hours(l.popularityHours) ? [typeof k === 'number' ? ipv4Text(k) : k, this.dests.devices(s), seen] : undefined;
    });
    const reported = Rows.of(() => this.reported.keys(), (k): LongConnSnapshot['reported'][number] | undefined => {
      const at = this.reported.peek(k);
      return at !== undefined && at >= now - c.hours(l.reportEveryHours) ? [k, at] : undefined;
    });
    return { observedSince: this.observedSince ?? null, dests, reported };
  }

  /** Takes back a snapshot (addresses and reports already present are kept as they are). */
  restore(s: LongConnSnapshot): void {
    if (s.observedSince !== null) this.observedSince = Math.min(this.observedSince ?? Infinity, s.observedSince);
    for (const [ip, devices, lastSeen] of s.dests) this.dests.restore(destKey(ip), devices, lastSeen);
    for (const [k, at] of s.reported) if (this.reported.peek(k) === undefined) this.reported.set(k, at);
  }

  evict(now: number): void {
    const c = this.ctx.c;
    this.dests.forgetBefore(now - c.hours(c.t.longConnection.popularityHours));
    this.reported.sweep((at) => at < now - c.hours(c.t.longConnection.reportEveryHours));
  }
}
