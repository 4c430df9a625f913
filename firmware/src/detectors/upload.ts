// Unusual upload, in the spirit of Firewalla's abnormal upload: bytes a device sends per hour,
// compared with that device's own history of the same kind of hour (business or not) over
// `baselineDays`, using a robust z-score (x - median) / (1.4826 · MAD) with absolute floors and
// a sent/received ratio (calls and syncs are two-way; exfiltration is one-way). Until a device
// has `minBaselineHours` of history, the floors alone decide. One flow sending a very large
// amount is its own signal. Only outbound traffic counts (a NAS backup on the LAN does not).
// Uploads and cloud sync go to web ports; what a device sends one-way to a port other than 80/443
// of an address few office devices use (a remote-access tool's controller on 1337/tcp) is counted
// apart against a far lower floor: on 54 benign PC-days (test/unit/detectors/realTraffic and
// ctu50) no hour sent even 6 MB one-way that was not one large web upload.
// Memory: one Float32Array(baselineDays·24) per device (1.3 KB at 14 days), devices capped.
import { z } from 'zod';
import type { Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { deviceKey, deviceRef, type DetectorContext, type FlowDetector } from './context.js';
import { madSorted, medianSorted } from './stats.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';

interface DeviceUpload {
  hour: number;          // current hour index
  out: number;
  in: number;
  /** This hour's bytes to other than web ports of destinations few office devices use. */
  outOther: number;
  inOther: number;
  // Bytes sent per past hour, slot = hour % slots. Float32 is plenty for a statistic of
  // megabytes (24-bit mantissa) and halves the largest per-device cost. A slot is valid when
  // its hour lies in [max(firstHour, hour - slots), hour): roll() zero-fills skipped hours.
  ring: Float32Array;
  firstHour: number;
  reportedHour: number;
  /** Bytes sent this hour when it was last reported: the hour is reported again each time it doubles. */
  reportedOut: number;
  lastSeen: number;
}

const WEB_PORTS: ReadonlySet<number> = new Set([80, 443]);
/** Most past hours one device's snapshot holds (128 days; a ring of 14 days holds 336). */
const MAX_KEPT_HOURS = 3072;

/** Bytes per past hour, oldest first, as base64 of little-endian float32 (the ring's own values,
 *  exactly: 1.8 KB of JSON per device for 14 days, where a number list takes up to 3.7 KB). */
const RingSchema = z.base64().max(Math.ceil((MAX_KEPT_HOURS * 4) / 3) + 4)
  .refine((s) => Buffer.byteLength(s, 'base64') % 4 === 0 && decodeHours(s).every((v) => Number.isFinite(v) && v >= 0), 'not a list of byte counts');

const BIG_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[0] !== 0; // 1.0f is 00 00 80 3f little-endian

function encodeHours(a: Float32Array): string {
  const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return (BIG_ENDIAN ? Buffer.from(b).swap32() : b).toString('base64');
}

/** Byte counts from base64 of little-endian float32 (a whole number of them: the schema checks). */
function decodeHours(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const copy = new Uint8Array(b.length - (b.length % 4));
  copy.set(b.subarray(0, copy.length));
  if (BIG_ENDIAN) Buffer.from(copy.buffer).swap32();
  return new Float32Array(copy.buffer);
}

/** The upload windows kept across a restart: per device its current hour (event hour index, bytes
 *  so far, what was reported of it), the first hour seen, last sighting (event ms) and its past
 *  hours since max(first hour, hour - ring); and the byte counters of open flows by conntrack id
 *  ([id, bytes out, bytes in, event ms]), so that a flow open across the restart is not counted twice. */
export const UploadSnapshotSchema = z.strictObject({
  devices: z.array(z.strictObject({
    device: z.string().max(100), hour: z.number().int(), firstHour: z.number().int(), lastSeen: z.number(),
    out: z.number().min(0), in: z.number().min(0), outOther: z.number().min(0), inOther: z.number().min(0),
    reportedHour: z.number().int(), reportedOut: z.number().min(0), past: RingSchema,
  })).max(1_000_000),
  open: z.array(z.tuple([z.number().int(), z.number().min(0), z.number().min(0), z.number()])).max(1_000_000),
});
export type UploadSnapshot = z.infer<typeof UploadSnapshotSchema>;

export class UploadDetector implements FlowDetector {
  readonly name = 'upload';
  private readonly devices: CappedMap<string, DeviceUpload>;
  private readonly open: CappedMap<number, { out: number; in: number; at: number }>;
  private readonly slots: number;

  constructor(private readonly ctx: DetectorContext) {
    this.devices = new CappedMap(ctx.c.t.caps.devices);
    this.open = new CappedMap(ctx.c.t.caps.openFlows);
    this.slots = ctx.c.t.upload.baselineDays * 24;
  }

  size(): number { return this.devices.size + this.open.size; }

  /** Bytes this record adds beyond what earlier updates of the same flow already reported. */
  private delta(flow: FlowRecord): { out: number; in: number } {
    if (flow.ctId === undefined) return flow.event === 'end' ? { out: flow.bytesOut, in: flow.bytesIn } : { out: 0, in: 0 };
    const prev = this.open.peek(flow.ctId);
    const d = { out: Math.max(0, flow.bytesOut - (prev?.out ?? 0)), in: Math.max(0, flow.bytesIn - (prev?.in ?? 0)) };
    if (flow.event === 'end') this.open.delete(flow.ctId);
    else this.open.set(flow.ctId, { out: flow.bytesOut, in: flow.bytesIn, at: flow.end });
    return d;
  }

  onFlow(flow: FlowRecord): Finding[] {
    if (flow.direction !== 'outbound' || flow.event === 'new') return [];
    const d = this.delta(flow);
    if (d.out === 0 && d.in === 0) return [];
    if (this.ctx.allowed(flow, 'upload') !== undefined) return [];
    const c = this.ctx.c, u = c.t.upload;
    const now = flow.end;
    const hour = c.hourIndex(now);
    const dev = this.devices.upsert(deviceKey(flow), () => ({
      hour, out: 0, in: 0, outOther: 0, inOther: 0, ring: new Float32Array(this.slots),
      firstHour: hour, reportedHour: -1, reportedOut: 0, lastSeen: now,
    }));
    dev.lastSeen = now;
    if (hour > dev.hour) this.roll(dev, hour);
    dev.out += d.out;
    dev.in += d.in;
    if (!WEB_PORTS.has(flow.remotePort ?? 443) && (this.ctx.usedBy?.(flow).count ?? 0) <= c.t.longConnection.maxDevices) {
      dev.outOther += d.out;
      dev.inOther += d.in;
    }
    const business = c.isBusinessHour(now);
    if (dev.reportedHour === hour) {
      // Reported already: the alert grows with the hour (bytes add up across findings, alerts/grow.ts).
      if (dev.out < 2 * dev.reportedOut) return [];
      const added = dev.out - dev.reportedOut;
      dev.reportedOut = dev.out;
      return [this.finding(flow, now, 'hourly', added, business ? u.hourlyFloorBytesBusiness : u.hourlyFloorBytesOff, business, { hourBytesOut: dev.out, hourBytesIn: dev.in, grew: true })];
    }
    const ratio = dev.out / Math.max(1, dev.in);
    const single = business ? u.singleFlowBytesBusiness : u.singleFlowBytesOff;
    const floor = business ? u.hourlyFloorBytesBusiness : u.hourlyFloorBytesOff;
    const flowRatio = flow.bytesOut / Math.max(1, flow.bytesIn);
    if (flow.bytesOut >= single && flowRatio >= u.minUpDownRatio) {
      dev.reportedHour = hour;
      dev.reportedOut = Math.max(dev.out, flow.bytesOut);
      return [this.finding(flow, now, 'single_flow', flow.bytesOut, single, business, { flowBytesOut: flow.bytesOut, flowBytesIn: flow.bytesIn, flowSeconds: Math.round((flow.end - flow.start) / 1000) })];
    }
    const otherRatio = dev.outOther / Math.max(1, dev.inOther);
    if (dev.outOther >= u.hourlyFloorBytesOtherPorts && otherRatio >= u.minUpDownRatio && dev.out < floor) {
      // One-way to a port other than the web's, of an address few office devices use. The
      // device's usual web uploads say nothing about it (no z-score); the same hour on earlier
      // days still does (a nightly backup to the owner's own server).
      return this.unusual(flow, dev, now, business, u.hourlyFloorBytesOtherPorts, false, { otherPortsBytesOut: dev.outOther, otherPortsBytesIn: dev.inOther });
    }
    if (dev.out < floor || ratio < u.minUpDownRatio) return [];
    return this.unusual(flow, dev, now, business, floor, true, {});
  }

  /** The hour's upload, unless the device's own history explains it (same hour on earlier days; with `useZ`, the robust z-score). */
  private unusual(flow: FlowRecord, dev: DeviceUpload, now: number, business: boolean, floor: number, useZ: boolean, extra: Record<string, unknown>): Finding[] {
    const u = this.ctx.c.t.upload;
    const ratio = dev.out / Math.max(1, dev.in);
    // A device that sent comparable amounts at this hour on an earlier day (a nightly cloud
    // backup) is doing what it always does.
    const sameHour = this.sameHourMax(dev);
    if (sameHour >= dev.out * u.sameHourRatio) return [];
    const base = useZ ? this.baseline(dev, business) : undefined;
    let z: number | undefined;
    if (base !== undefined) {
      z = (dev.out - base.median) / (1.4826 * Math.max(base.mad, u.madFloorBytes));
      if (z < u.zScore) return [];
    }
    dev.reportedHour = dev.hour;
    dev.reportedOut = dev.out;
    return [this.finding(flow, now, 'hourly', dev.out, floor, business, {
      hourBytesOut: dev.out, hourBytesIn: dev.in, ratio: Math.round(ratio * 10) / 10,
      z: z === undefined ? null : Math.round(z * 10) / 10, baselineMedian: base?.median ?? null, baselineMad: base?.mad ?? null,
      baselineHours: base?.hours ?? 0, coldStart: useZ && base === undefined, sameHourMaxBytes: sameHour, ...extra,
    })];
  }

  private roll(dev: DeviceUpload, hour: number): void {
    dev.ring[dev.hour % this.slots] = dev.out;
    // Hours with no traffic in between sent nothing (at most one lap of the ring to clear).
    for (let h = dev.hour + 1; h < hour && h <= dev.hour + this.slots; h++) dev.ring[h % this.slots] = 0;
    dev.hour = hour;
    dev.out = 0;
    dev.in = 0;
    dev.outOther = 0;
    dev.inOther = 0;
  }

  /** Most bytes sent in the same local hour on earlier days still in the ring. */
  private sameHourMax(dev: DeviceUpload): number {
    let max = 0;
    for (let h = dev.hour - 24; h >= dev.hour - this.slots && h >= dev.firstHour; h -= 24) {
      const slot = ((h % this.slots) + this.slots) % this.slots;
      max = Math.max(max, dev.ring[slot] ?? 0); // slot < ring length
    }
    return max;
  }

  /** Median and MAD of past hours of the same kind since the device was first seen. */
  private baseline(dev: DeviceUpload, business: boolean): { median: number; mad: number; hours: number } | undefined {
    const c = this.ctx.c;
    const vals: number[] = [];
    const from = Math.max(dev.firstHour, dev.hour - this.slots);
    const hourMs = c.hours(1);
    for (let h = from; h < dev.hour; h++) {
      // hourIndex counts local hours; map back to an event time inside that hour.
      const at = h * 3_600_000 - c.t.timezoneOffsetMinutes * 60_000 + hourMs / 2;
      if (c.isBusinessHour(at) !== business) continue;
      vals.push(dev.ring[h % this.slots] ?? 0); // inside the ring
    }
    if (vals.length < c.t.upload.minBaselineHours) return undefined;
    vals.sort((a, b) => a - b);
    return { median: medianSorted(vals), mad: madSorted(vals), hours: vals.length };
  }

  private finding(flow: FlowRecord, now: number, pattern: string, bytes: number, floor: number, business: boolean, extra: Record<string, unknown>): Finding {
    const u = this.ctx.c.t.upload;
    return {
      kind: 'upload', severity: bytes >= floor * u.dangerFactor ? 'danger' : 'warning',
      dedupKey: `upload:${deviceKey(flow)}`, at: now, device: deviceRef(flow),
      remote: { ip: flow.remoteIp, port: flow.remotePort }, direction: 'outbound', action: 'none',
      // bytes: what this finding adds to the alert (the pipeline sums them).
      // aboveUsual: the device's own history was measured and this is far above it (a z-score);
      // staff text says "more than usual" only then. A growth finding leaves the stored value.
      params: { device: flow.deviceIp, remote: flow.remoteIp, bytes, businessHours: business, pattern, ...(extra['grew'] === true ? {} : { aboveUsual: typeof extra['z'] === 'number' }) },
      // A growth finding's bytes are what was added since the last report, not what one sighting sent.
      evidence: { pattern, ...(extra['grew'] === true ? { bytesAddedSinceReport: bytes } : { bytesSent: bytes }), floorBytes: floor, businessHours: business, ...extra },
    };
  }

  /** Devices seen within the baseline of `now` and flows open within a day, for a restart. */
  snapshot(now: number): UploadSnapshot { return materialized(this.snapshotRows(now)); }

  /** The same, read row by row when written (collections/rows.ts). */
  snapshotRows(now: number): Deferred<UploadSnapshot> {
    const c = this.ctx.c;
    const devices = Rows.of(() => this.devices.keys(), (device): UploadSnapshot['devices'][number] | undefined => {
      const d = this.devices.peek(device);
      if (d === undefined || d.lastSeen < now - c.hours(c.t.upload.baselineDays * 24)) return undefined;
      const from = Math.max(d.firstHour, d.hour - this.slots, d.hour - MAX_KEPT_HOURS);
      const past = new Float32Array(Math.max(0, d.hour - from));
      for (let h = from; h < d.hour; h++) past[h - from] = d.ring[((h % this.slots) + this.slots) % this.slots] ?? 0;
      return {
        device, hour: d.hour, firstHour: d.firstHour, lastSeen: d.lastSeen, out: d.out, in: d.in, outOther: d.outOther,
        inOther: d.inOther, reportedHour: d.reportedHour, reportedOut: d.reportedOut, past: encodeHours(past),
      };
    });
    const open = Rows.of(() => this.open.keys(), (id): UploadSnapshot['open'][number] | undefined => {
      const f = this.open.peek(id);
      return f !== undefined && f.at >= now - c.hours(24) ? [id, f.out, f.in, f.at] : undefined;
    });
    return { devices, open };
  }

  /** Takes back a snapshot (devices and flows already present are kept as they are). The ring may
   *  have another length now (baselineDays changed): the latest hours that fit are kept. */
  restore(s: UploadSnapshot): void {
    for (const d of s.devices) {
      if (this.devices.peek(d.device) !== undefined) continue;
      const past = decodeHours(d.past).slice(-this.slots);
      const ring = new Float32Array(this.slots);
      past.forEach((v, i) => { ring[(((d.hour - past.length + i) % this.slots) + this.slots) % this.slots] = v; });
      this.devices.set(d.device, {
        hour: d.hour, out: d.out, in: d.in, outOther: d.outOther, inOther: d.inOther, ring,
        firstHour: Math.max(d.firstHour, d.hour - past.length), reportedHour: d.reportedHour, reportedOut: d.reportedOut, lastSeen: d.lastSeen,
      });
    }
    for (const [id, out, inn, at] of s.open) if (this.open.peek(id) === undefined) this.open.set(id, { out, in: inn, at });
  }

  evict(now: number): void {
    const c = this.ctx.c;
    this.devices.sweep((d) => d.lastSeen < now - c.hours(c.t.upload.baselineDays * 24));
    // Flows without an end for a day lost their END event (netlink overrun); forget them.
    const stale = now - c.hours(24);
    this.open.sweep((f) => f.at < stale);
  }
}
