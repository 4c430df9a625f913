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
import { CappedMap } from '../collections/capped.js';
import { networkKey } from './popularity.js';

interface Days { first: number; mask: number; last: number } // first: event ms; mask, last: office days

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

export class DestinationRoutine {
  private readonly seen: CappedMap<string, Days>;

  /** `cap`: (device, network) entries kept; `offsetMinutes`: the office's UTC offset (its days). */
  constructor(cap: number, private readonly offsetMinutes: number) {
    this.seen = new CappedMap(cap);
  }

  /** Office day number of event time `at`. */
  day(at: number): number {
    return Math.floor((at + this.offsetMinutes * 60_000) / DAY);
  }

  private static key(device: string, ip: string): string { return `${device}|${networkKey(ip)}`; }

  /** Notes that `device` used the flow's destination (outbound flows only). The device itself is
   *  one more entry (`device|`): when the box first saw it, on which days. */
  note(flow: FlowRecord, device: string): void {
    if (flow.direction !== 'outbound') return;
    this.mark(`${device}|`, flow.start);
    this.mark(DestinationRoutine.key(device, flow.remoteIp), flow.start);
  }

  private mark(key: string, start: number): void {
    const d = this.day(start);
    const s = this.seen.upsert(key, () => ({ first: start, mask: 0, last: d }));
    if (d > s.last) {
      s.mask = d - s.last >= MASK_DAYS ? 0 : (s.mask << (d - s.last)) >>> 0;
      s.last = d;
    }
    const back = s.last - d; // a flow that started before the latest day noted (flows end out of order)
    if (back >= 0 && back < MASK_DAYS) s.mask = (s.mask | (1 << back)) >>> 0;
    if (start < s.first) s.first = start;
  }

  /** The device's history with the destination's network at `now`; undefined when never used. */
  evidence(device: string, ip: string, now: number): RoutineEvidence | undefined {
    const s = this.seen.peek(DestinationRoutine.key(device, ip));
    if (s === undefined) return undefined;
    const today = this.day(now);
    const shift = today - s.last;
    let earlier = 0;
    for (let i = 0; i < MASK_DAYS; i++) {
      const age = i + shift; // office days before today of bit i
      if (age >= 1 && age < MASK_DAYS && (s.mask & (1 << i)) !== 0) earlier++;
    }
    const dev = this.seen.peek(`${device}|`);
    return {
      firstSeenHoursAgo: Math.max(0, Math.floor((now - s.first) / 3_600_000)), earlierDaysUsed: earlier,
      deviceSeenHoursBefore: dev === undefined ? 0 : Math.max(0, Math.floor((s.first - dev.first) / 3_600_000)),
    };
  }

  /** Entries used within the last 31 office days of `now`, for a restart. */
  snapshot(now: number): RoutineSnapshot {
    const from = this.day(now) - MASK_DAYS;
    const out: RoutineSnapshot = [];
    for (const [k, s] of this.seen.entries()) if (s.last > from) out.push([k, s.first, s.mask, s.last]);
    return out;
  }

  /** Takes back a snapshot (entries already present are kept as they are). */
  restore(s: RoutineSnapshot): void {
    for (const [k, first, mask, last] of s) if (this.seen.peek(k) === undefined) this.seen.set(k, { first, mask: mask >>> 0, last });
  }

  /** Forgets entries unused for 31 office days. */
  evict(now: number): void {
    const from = this.day(now) - MASK_DAYS;
    this.seen.sweep((s) => s.last <= from);
  }

  size(): number { return this.seen.size; }
}
