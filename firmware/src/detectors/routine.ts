// A device's routine destinations (issue 15): on which office days each device used each
// destination network (/24, /48). A periodic check-in on a web port to a network the device has
// used day after day since the box first saw it is part of that device's routine (an update
// agent, a sync client, a chat app), which RITA v5 counts against a finding ("first seen": its
// score falls when the destination was first seen long ago, rises when it is new;
// activecm/rita default_config.hjson, modifiers.first_seen_*). A controller that appears after
// the box started watching is new, and is judged on its own.
// Memory: one entry per (device, network) the device used, capped (`caps.beaconPairs`, CLOCK
// eviction): when it was first used and a 31-day bitmask of the office days used.
import { z } from 'zod';
import type { FlowRecord } from '../flows/parse.js';
import { CappedSlots, grown } from '../collections/cappedSlots.js';
import { ipv4Number } from '../net/ipText.js';
import { DeviceIds } from './deviceIds.js';
import { networkKey } from './popularity.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';

const DAY = 86_400_000;
const MASK_DAYS = 31;

/** What the history says of one device and destination network at event time `now`. */
export interface RoutineEvidence {
  /** Whole hours since the device first used the network. */
  firstSeenHoursAgo: number;
  /** Earlier office days (not today, within the last 31) on which the device used it. */
  earlierDaysUsed: number;
  /** Whole hours the box had seen the device (any outbound flow) before it first used the network. */
  deviceSeenHoursBefore: number;
}

/** The routine as kept across a restart: [device|network, first use (event ms), mask, last office day]. */
export const RoutineSnapshotSchema = z.array(z.tuple([z.string().max(200), z.number(), z.number().int().min(0), z.number().int()])).max(1_000_000);
export type RoutineSnapshot = z.infer<typeof RoutineSnapshotSchema>;

/** A routine key: device id × 2^24 + IPv4 /24 number, −(device id + 1) for the device itself,
 *  `id|network` text for an IPv6 (or unreadable) destination. */
type RoutineKey = number | string;
const NET = 16_777_216; // 2^24

export class DestinationRoutine {
  // Per entry (slot): first use (event ms), office-day mask, last office day, device id.
  private readonly seen: CappedSlots<RoutineKey>;
  private first = new Float64Array(0);
  private mask = new Uint32Array(0);
  private last = new Int32Array(0);
  private dev = new Int32Array(0);

  /** `cap`: (device, network) entries kept; `offsetMinutes`: the office's UTC offset (its days);
   *  `ids`: the device ids shared with the other window tables. */
  constructor(cap: number, private readonly offsetMinutes: number, private readonly ids: DeviceIds = new DeviceIds()) {
    this.seen = new CappedSlots<RoutineKey>(cap, {
      grow: (n) => {
        this.first = grown(this.first, n, (k) => new Float64Array(k));
        this.mask = grown(this.mask, n, (k) => new Uint32Array(k));
        this.last = grown(this.last, n, (k) => new Int32Array(k));
        this.dev = grown(this.dev, n, (k) => new Int32Array(k));
      },
      drop: (slot) => this.ids.unref(this.dev[slot] ?? 0),
    });
  }

  /** Office day number of event time `at`. */
  day(at: number): number {
    return Math.floor((at + this.offsetMinutes * 60_000) / DAY);
  }

  private static key(id: number, ip: string): RoutineKey {
    const v4 = ipv4Number(ip);
    return v4 === undefined ? `${id}|${networkKey(ip)}` : id * NET + (v4 >>> 8);
  }

  /** Notes that `device` used the flow's destination (outbound flows only). The device itself is
   *  one more entry (`device|`): when the box first saw it, on which days. */
  note(flow: FlowRecord, device: string): void {
    if (flow.direction !== 'outbound') return;
    let id = this.ids.ref(device); // held by a new entry, else let go
    this.mark(-(id + 1), id, flow.start);
    id = this.ids.ref(device); // a second reference, for the network's entry (the same id: the device entry holds it)
    this.mark(DestinationRoutine.key(id, flow.remoteIp), id, flow.start);
  }

  /** `id`: one reference to the device, which a new entry keeps. */
  private mark(key: RoutineKey, id: number, start: number): void {
    const d = this.day(start);
    const { slot: s, fresh } = this.seen.upsert(key);
    if (fresh) { this.first[s] = start; this.mask[s] = 0; this.last[s] = d; this.dev[s] = id; } else this.ids.unref(id);
    const last = this.last[s] ?? 0;
    if (d > last) {
      this.mask[s] = d - last >= MASK_DAYS ? 0 : ((this.mask[s] ?? 0) << (d - last)) >>> 0;
      this.last[s] = d;
    }
    const back = (this.last[s] ?? 0) - d; // a flow that started before the latest day noted (flows end out of order)
    if (back >= 0 && back < MASK_DAYS) this.mask[s] = ((this.mask[s] ?? 0) | (1 << back)) >>> 0;
    if (start < (this.first[s] ?? 0)) this.first[s] = start;
  }

  /** The device's history with the destination's network at `now`; undefined when never used. */
  evidence(device: string, ip: string, now: number): RoutineEvidence | undefined {
    const id = this.ids.find(device);
    if (id === undefined) return undefined;
    const s = this.seen.peek(DestinationRoutine.key(id, ip));
    if (s === undefined) return undefined;
    const today = this.day(now);
    const shift = today - (this.last[s] ?? 0);
    let earlier = 0;
    for (let i = 0; i < MASK_DAYS; i++) {
      const age = i + shift; // office days before today of bit i
      if (age >= 1 && age < MASK_DAYS && ((this.mask[s] ?? 0) & (1 << i)) !== 0) earlier++;
    }
    const dev = this.seen.peek(-(id + 1));
    const first = this.first[s] ?? 0;
    return {
      firstSeenHoursAgo: Math.max(0, Math.floor((now - first) / 3_600_000)), earlierDaysUsed: earlier,
      deviceSeenHoursBefore: dev === undefined ? 0 : Math.max(0, Math.floor((first - (this.first[dev] ?? 0)) / 3_600_000)),
    };
  }

  /** The snapshot text of an entry's key: `device|network`, or `device|` for the device itself. */
  private keyText(k: RoutineKey, slot: number): string {
    const device = this.ids.key(this.dev[slot] ?? 0);
    if (typeof k === 'string') return `${device}${k.slice(k.indexOf('|'))}`;
    if (k < 0) return `${device}|`;
    const n = k % NET;
    return `${device}|${n >>> 16}.${(n >>> 8) & 255}.${n & 255}.0/24`;
  }

  /** Entries used within the last 31 office days of `now`, for a restart. */
  snapshot(now: number): RoutineSnapshot { return materialized<RoutineSnapshot>(this.snapshotRows(now)); }

  /** The same, read row by row when written (collections/rows.ts). */
  snapshotRows(now: number): Deferred<RoutineSnapshot> {
    const from = this.day(now) - MASK_DAYS;
    return Rows.of(() => this.seen.keys(), (k): RoutineSnapshot[number] | undefined => {
      const s = this.seen.peek(k);
      return s !== undefined && (this.last[s] ?? 0) > from ? [this.keyText(k, s), this.first[s] ?? 0, this.mask[s] ?? 0, this.last[s] ?? 0] : undefined;
    });
  }

  /** Takes back a snapshot (entries already present are kept as they are). */
  restore(snap: RoutineSnapshot): void {
    for (const [t, first, mask, last] of snap) {
      const bar = t.indexOf('|');
      if (bar < 0) continue; // not a key this class writes: it could never be looked up
      const net = t.slice(bar + 1);
      const id = this.ids.ref(t.slice(0, bar));
      const v4 = net.endsWith('.0/24') ? ipv4Number(net.slice(0, -3)) : undefined;
      const key = net === '' ? -(id + 1) : v4 !== undefined && networkKey(net.slice(0, -3)) === net ? id * NET + (v4 >>> 8) : `${id}|${net}`;
      if (this.seen.peek(key) !== undefined) { this.ids.unref(id); continue; }
      const { slot: s } = this.seen.upsert(key);
      this.first[s] = first; this.mask[s] = mask >>> 0; this.last[s] = last; this.dev[s] = id;
    }
  }

  /** Forgets entries unused for 31 office days. */
  evict(now: number): void {
    const from = this.day(now) - MASK_DAYS;
    this.seen.sweep((s) => (this.last[s] ?? 0) <= from);
  }

  size(): number { return this.seen.size; }
}
