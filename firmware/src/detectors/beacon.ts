// Beaconing per (device, remote address) over a sliding window (24 h), scored the way RITA
// does it (beaconScore.ts); the window, the evidence that raises or lowers the threshold, and
// what is kept across a restart are here.
import { z } from 'zod';
import type { Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { CappedSlots, grown } from '../collections/cappedSlots.js';
import { materialized, Rows, type Deferred } from '../collections/rows.js';
import { ipv4Number, ipv4Text } from '../net/ipText.js';
import { DeviceIds } from './deviceIds.js';
import { deviceKey, deviceRef, type DetectorContext, type FlowDetector } from './context.js';
import { networkKey } from './popularity.js';
import { histogramAndDuration, statisticalScore } from './beaconScore.js';
import { medianSorted, r3 } from './stats.js';

const WEB_PORTS: ReadonlySet<number> = new Set([80, 443]);
const CHANNEL_HOLD_MS = 2 * 3_600_000;

// Per pair only the connections and three times: identity lives in the key and, when a finding
// is made, in the flow that completed it. Connections are one interleaved array
// [start s, bytes, start s, bytes, …] created exactly sized (most pairs never see a second
// connection). The key is a number for an IPv4 remote (device id × 2^32 + address; text
// `id|address` for IPv6) and the times are typed columns of the pair's slot (CappedSlots):
// no key string, entry or pair object per pair (issue 15, memory).
type PairKey = number | string;
const ADDR = 4_294_967_296; // 2^32
const NO_CONNS: number[] = [];
/** Up to this many numbers a pair's connections grow by exact copies (most pairs stay below). */
const EXACT_CONNS = 64;

/** The pair key of device id `id` and remote address `ip`. */
function pairKey(id: number, ip: string): PairKey {
  const v4 = ipv4Number(ip);
  return v4 === undefined ? `${id}|${ip}` : id * ADDR + v4;
}

/** Most persistent rare channels one device's snapshot holds (an implant keeps a handful). */
const MAX_KEPT_CHANNELS = 256;

/** The beacon window as kept across a restart: when the box started watching, and each pair's
 *  connections (interleaved [start s, bytes, …]) with its last sighting and report (event ms).
 *  `channels` (each device's persistent rare channels: [device, [[network, last scored as one]]])
 *  `told` (the figures last reported per pair) and `implicated` (devices reported for one of several
 *  persistent rare channels: [device, when, how many channels then]) came later: a file without them still loads. */
export const BeaconSnapshotSchema = z.strictObject({
  observedSince: z.number().nullable(),
  pairs: z.array(z.tuple([z.string().max(200), z.array(z.number()).max(2 * 4096), z.number(), z.number().nullable()])),
  channels: z.array(z.tuple([z.string().max(100), z.array(z.tuple([z.string().max(100), z.number()])).max(MAX_KEPT_CHANNELS)])).max(1_000_000).optional(),
  told: z.array(z.tuple([z.string().max(200), z.string().max(100)])).max(1_000_000).optional(),
  implicated: z.array(z.tuple([z.string().max(100), z.number(), z.number().int().min(0).max(MAX_KEPT_CHANNELS)])).max(1_000_000).optional(),
});
export type BeaconSnapshot = z.infer<typeof BeaconSnapshotSchema>;

export class BeaconDetector implements FlowDetector {
  readonly name = 'beacon';
  // Per pair (slot): its connections, when last seen, scored and reported (event ms), device id.
  private readonly pairs: CappedSlots<PairKey>;
  private conns: number[][] = [];
  private lastSeen = new Float64Array(0);
  private lastScored = new Float64Array(0);
  private lastReported = new Float64Array(0);
  private dev = new Int32Array(0);
  private observedSince: number | undefined;
  /** The figures last reported for a pair (only pairs that were reported: few), so that a beacon
   *  whose count or interval changed is reported again at its next rescore and its alert grows. */
  private readonly told: CappedMap<string, string>;
  /** Per device, its persistent rare channels outside published operator networks, with the event
   *  time each was last scored as one (only devices that have one: few). */
  private readonly channels: CappedMap<string, Map<string, number>>;
  /** Per device, the event time a beacon on one of its several persistent rare channels was last
   *  reported, and how many it kept then (only such devices: few). Its other rare channels are
   *  then part of the same story. */
  private readonly implicated: CappedMap<string, { at: number; channels: number }>;

  /** `ids`: the device ids shared with the other window tables. */
  constructor(private readonly ctx: DetectorContext, private readonly ids: DeviceIds = new DeviceIds()) {
    this.pairs = new CappedSlots<PairKey>(ctx.c.t.caps.beaconPairs, {
      grow: (n) => {
        this.lastSeen = grown(this.lastSeen, n, (k) => new Float64Array(k));
        this.lastScored = grown(this.lastScored, n, (k) => new Float64Array(k));
        this.lastReported = grown(this.lastReported, n, (k) => new Float64Array(k));
        this.dev = grown(this.dev, n, (k) => new Int32Array(k));
      },
      drop: (slot) => { this.ids.unref(this.dev[slot] ?? 0); this.conns[slot] = NO_CONNS; },
    });
    this.told = new CappedMap(ctx.c.t.caps.devices);
    this.channels = new CappedMap(ctx.c.t.caps.devices);
    this.implicated = new CappedMap(ctx.c.t.caps.devices);
  }

  size(): number { return this.pairs.size; }

  onFlow(flow: FlowRecord): Finding[] {
    if (flow.direction !== 'outbound' || flow.event === 'new') return [];
    const now = flow.end;
    this.observedSince ??= flow.start;
    if (flow.event === 'update') return []; // count a connection once, at its end
    if (this.ctx.allowed(flow, 'beacon') !== undefined) return [];
    const c = this.ctx.c, b = c.t.beacon;
    const id = this.ids.ref(deviceKey(flow)); // held by a new pair, else let go
    const t0 = flow.start / 1000, size = flow.bytesOut + flow.bytesIn;
    const { slot: p, fresh } = this.pairs.upsert(pairKey(id, flow.remoteIp));
    if (fresh) {
      this.conns[p] = [t0, size];
      this.lastSeen[p] = now; this.lastScored[p] = -Infinity; this.lastReported[p] = -Infinity; this.dev[p] = id;
    } else {
      this.ids.unref(id);
      this.lastSeen[p] = now;
      // concat copies exactly sized; push (and [...c, x]) reserves ~17 more slots per pair
      const old = this.conns[p] ?? NO_CONNS;
      if (old.length < EXACT_CONNS) this.conns[p] = old.concat(t0, size); else old.push(t0, size);
    }
    const conns = this.conns[p] ?? NO_CONNS;
    const cap = c.t.caps.beaconConnsPerPair;
    if (conns.length > 2 * (cap + 64)) conns.splice(0, conns.length - 2 * cap);
    if (conns.length < 2 * b.minConnections) return [];
    if (now - (this.lastScored[p] ?? 0) < c.minutes(b.rescoreMinutes)) return [];
    if (now - this.observedSince < c.hours(b.minObservedHours)) return [];
    this.lastScored[p] = now;
    this.trim(conns, now);
    if (conns.length < 2 * b.minConnections) return [];
    // RITA v5's first-seen modifier, where the box can know it: a destination the device first
    // used after the box had watched it for routineDays is new for the device, and counts for it.
    const routine = this.ctx.routine?.(flow);
    const isNew = routine !== undefined && routine.deviceSeenHoursBefore >= 24 * b.routineDays;
    const w = this.window(conns, now);
    // A destination many office devices use (by network or name) is a service, not one implant's
    // controller: Windows push and Delivery Optimization check in like clockwork on every PC.
    const used = this.ctx.usedBy?.(flow);
    // A persistent rare channel: connections in nearly every hour of the day to a network no other
    // office device uses. An implant keeps several (its controller and fallbacks); a benign PC's
    // persistent rare channels lie in the networks large operators publish (telemetry, sync).
    const persistent = w.hd.bars >= b.channels.persistentHours && (used?.count ?? 1) <= 1
      && (this.ctx.officeDevices?.(now) ?? 0) >= b.channels.minOfficeDevices; // in an office of one or two, everything is rare
    let operator = persistent ? this.ctx.operatorOf?.(flow.remoteIp) : undefined; // asked again below only for a finding
    const channels = this.noteChannel(deviceKey(flow), networkKey(flow.remoteIp), persistent && operator === undefined, now);
    const several = persistent && channels >= b.channels.perDevice;
    let threshold = isNew ? b.scoreThreshold - b.newDestinationBonus : b.scoreThreshold;
    if (several) threshold = Math.min(threshold, b.channels.scoreThreshold);
    // The scope of an implant already reported: a device the box reported for one of several
    // persistent rare channels keeps a controller and fallbacks. Its other channels to networks no
    // other office device uses, outside the operator networks, that the method can see (the
    // connections, over minObservedHours hours or more) are that implant's too, however irregular
    // (a fallback used for a night): an analyst scoping the infected host lists every one of them.
    const implicated = several ? undefined : this.implicated.peek(deviceKey(flow));
    const scoped = implicated !== undefined && now - implicated.at <= c.hours(b.windowHours)
      && (used?.count ?? 1) <= 1 && (this.ctx.officeDevices?.(now) ?? 0) >= b.channels.minOfficeDevices
      && w.hd.bars >= b.minObservedHours && this.ctx.operatorOf?.(flow.remoteIp) === undefined;
    if (scoped) threshold = 0;
    const s = this.score(w, threshold);
    if (s === undefined || s.score < threshold) return [];
    if (used !== undefined && used.count > c.t.longConnection.maxDevices) return [];
    const figures = `${s.connections}|${Math.round(s.medianInterval)}|${s.score}`;
    const key = `${deviceKey(flow)}|${flow.remoteIp}`; // told is keyed by text: few entries, and ids are reused
    if (now - (this.lastReported[p] ?? 0) < c.hours(b.reportEveryHours) && this.told.get(key) === figures) return [];
    this.lastReported[p] = now;
    this.told.set(key, figures);
    if (several) this.implicated.set(deviceKey(flow), { at: now, channels });
    const f = this.finding(flow, s, now);
    f.evidence['devicesUsingNetworkOrName'] = used?.count ?? null;
    f.evidence['persistentRareChannels'] = channels;
    f.evidence['scoreThreshold'] = threshold;
    if (scoped) {
      // not "regular": what makes it a finding is the device's other channels, which the text says
      f.params['deviceRareChannels'] = implicated?.channels ?? 0;
      f.params['activeHours'] = w.hd.bars;
      f.evidence['deviceReportedHoursAgo'] = Math.round(((now - (implicated?.at ?? now)) / 3_600_000) * 10) / 10;
      f.evidence['activeHours'] = w.hd.bars;
    }
    const web = WEB_PORTS.has(flow.remotePort ?? -1);
    if (!persistent) operator = this.ctx.operatorOf?.(flow.remoteIp);
    // A web-port check-in to a network a large operator publishes for its services and cloud is
    // weaker evidence (telemetry, a sync client): alone it only adds to an incident about that
    // network. Not an allowlist: another port stands alone, and so does every persistent channel
    // of a device that keeps several outside those networks (an implant's fallback on a cloud).
    if (operator !== undefined) {
      f.evidence['serviceOperator'] = operator;
      if (web && !several) f.corroborating = true;
    }
    // A web-port check-in to a network this device has used day after day, for longer than a new
    // beacon takes to be found (routineDays), is its routine (an update agent, a sync client):
    // alone it is no reason to call anyone, so it only adds to an incident about that network.
    // A new destination, or another port, stands alone; so does a channel of a device keeping
    // several (an implant's controller is used day after day too).
    if (routine !== undefined) {
      f.evidence['destinationFirstSeenHoursAgo'] = routine.firstSeenHoursAgo;
      f.evidence['destinationEarlierDaysUsed'] = routine.earlierDaysUsed;
      f.evidence['deviceSeenHoursBeforeDestination'] = routine.deviceSeenHoursBefore;
      if (web && !several && !scoped && routine.firstSeenHoursAgo >= 24 * b.routineDays && routine.earlierDaysUsed >= b.routineDays) f.corroborating = true;
    }
    return [f];
  }

  /** Marks (or clears) network `net` as one of `device`'s persistent rare channels (a service
   *  answering from several addresses of one network is one channel); returns how many the
   *  device has. A channel counts while it was last scored as one within CHANNEL_HOLD_MS: with a
   *  connection in nearly every hour, it is rescored at least hourly. */
  private noteChannel(device: string, net: string, is: boolean, now: number): number {
    let m = this.channels.peek(device);
    if (is) (m ??= this.channels.upsert(device, () => new Map<string, number>())).set(net, now);
    else m?.delete(net);
    if (m === undefined) return 0;
    for (const [k, at] of m) if (at < now - CHANNEL_HOLD_MS) m.delete(k);
    return m.size;
  }

  /** The window to keep across a restart (pairs seen within the window of `now`). */
  snapshot(now: number): BeaconSnapshot { return materialized(this.snapshotRows(now)); }

  /** The same, its tables read row by row when written (collections/rows.ts): a busy office's
   *  pairs take a third of a second to write. A pair's connections are its live array: write a
   *  row before the next flow. */
  snapshotRows(now: number): Deferred<BeaconSnapshot> {
    const horizon = now - this.ctx.c.hours(this.ctx.c.t.beacon.windowHours);
    const pairs = Rows.of(() => this.pairs.keys(), (k): BeaconSnapshot['pairs'][number] | undefined => {
      const p = this.pairs.peek(k);
      if (p === undefined || (this.lastSeen[p] ?? 0) < horizon) return undefined;
      const reported = this.lastReported[p] ?? 0;
      return [this.keyText(k, p), this.conns[p] ?? NO_CONNS, this.lastSeen[p] ?? 0, Number.isFinite(reported) ? reported : null];
    });
    // A channel counts for CHANNEL_HOLD_MS after it was last scored as one; the latest are kept.
    const channels = Rows.of(() => this.channels.keys(), (device): NonNullable<BeaconSnapshot['channels']>[number] | undefined => {
      const live = [...this.channels.peek(device) ?? []].filter(([, at]) => at >= now - CHANNEL_HOLD_MS).sort((a, b) => b[1] - a[1]).slice(0, MAX_KEPT_CHANNELS);
      return live.length > 0 ? [device, live] : undefined;
    });
    const told = Rows.of(() => this.told.keys(), (k): NonNullable<BeaconSnapshot['told']>[number] | undefined => {
      const figures = this.told.peek(k), p = this.slotOfText(k);
      return figures !== undefined && p !== undefined && (this.lastSeen[p] ?? 0) >= horizon ? [k, figures] : undefined;
    });
    const implicated = Rows.of(() => this.implicated.keys(), (device): NonNullable<BeaconSnapshot['implicated']>[number] | undefined => {
      const i = this.implicated.peek(device);
      return i !== undefined && i.at >= horizon ? [device, i.at, i.channels] : undefined;
    });
    return { observedSince: this.observedSince ?? null, pairs, channels, told, implicated };
  }

  /** Takes back a window kept before a restart (a restart must not blind the detector for hours);
   *  pairs, devices' channels and figures already present are kept as they are. */
  restore(s: BeaconSnapshot): void {
    if (s.observedSince !== null) this.observedSince = Math.min(this.observedSince ?? Infinity, s.observedSince);
    for (const [k, c, lastSeen, lastReported] of s.pairs) {
      const bar = k.indexOf('|');
      if (c.length % 2 !== 0 || bar < 0) continue; // a key without a device could never be looked up
      const id = this.ids.ref(k.slice(0, bar));
      const key = pairKey(id, k.slice(bar + 1));
      if (this.pairs.peek(key) !== undefined) { this.ids.unref(id); continue; }
      const { slot } = this.pairs.upsert(key);
      this.conns[slot] = [...c];
      this.lastSeen[slot] = lastSeen; this.lastScored[slot] = -Infinity; this.lastReported[slot] = lastReported ?? -Infinity; this.dev[slot] = id;
    }
    for (const [device, nets] of s.channels ?? []) if (this.channels.peek(device) === undefined) this.channels.set(device, new Map(nets));
    for (const [k, figures] of s.told ?? []) if (this.told.peek(k) === undefined) this.told.set(k, figures);
    for (const [device, at, channels] of s.implicated ?? []) if (this.implicated.peek(device) === undefined) this.implicated.set(device, { at, channels });
  }

  /** A pair's key as the snapshot writes it: `device|remote address`. */
  private keyText(k: PairKey, slot: number): string {
    const device = this.ids.key(this.dev[slot] ?? 0);
    if (typeof k === 'string') return `${device}${k.slice(k.indexOf('|'))}`;
    const a = k % ADDR;
    return `${device}|${ipv4Text(a)}`;
  }

  /** The pair (slot) of a `device|remote address` text key, if held. */
  private slotOfText(k: string): number | undefined {
    const bar = k.indexOf('|');
    const id = this.ids.find(k.slice(0, bar));
    return bar < 0 || id === undefined ? undefined : this.pairs.peek(pairKey(id, k.slice(bar + 1)));
  }

  private trim(c: number[], now: number): void {
    const from = (now - this.ctx.c.hours(this.ctx.c.t.beacon.windowHours)) / 1000;
    let i = 0;
    while ((c[i] ?? Infinity) < from) i += 2; // past the end stops the walk
    if (i > 0) c.splice(0, i);
  }

  /** One pair's connections at event time `now`, with the histogram and duration sub-scores
   *  (binning, min, max: no sorting, cheap enough for every scoring). */
  private window(c: number[], now: number) {
    const b = this.ctx.c.t.beacon;
    // The whole window, also while the box has watched for less: RITA's duration score claims
    // persistence over its (24 h) dataset, and a pair seen through the box's first six hours has
    // not shown a day of it. The box's first day is judged like any other, where a new beacon
    // has an empty morning behind it (measured on CTU-50: 19 false alerts become 13, scattered).
    const dsMax = now / 1000, dsMin = (now - this.ctx.c.hours(b.windowHours)) / 1000;
    const times: number[] = [], bytes: number[] = [];
    c.forEach((v, i) => (i % 2 === 0 ? times : bytes).push(v)); // c is [time, bytes, time, bytes, …]
    return { times, bytes, hd: histogramAndDuration(times, dsMin, dsMax, b) };
  }

  /** RITA score of one pair's window; undefined when there is too little data, or when even perfect
   *  interval and size statistics could not reach `threshold` (office browsing, business hours
   *  only, is cut here before the O(n log n) part at a few µs per pair). */
  private score({ times, bytes, hd }: ReturnType<BeaconDetector['window']>, threshold: number) {
    const w = this.ctx.c.t.beacon.weights;
    if (w.ts + w.ds + hd.durScore * w.dur + hd.histScore * w.hist < threshold) return undefined;
    const ts = times.sort((x, y) => x - y);
    const deltas: number[] = [];
    let prev: number | undefined;
    for (const t of ts) {
      const d = prev === undefined ? 0 : Math.round(t - prev);
      if (d > 0) deltas.push(d);
      prev = t;
    }
    if (deltas.length < 3) return undefined;
    deltas.sort((x, y) => x - y);
    const tsS = statisticalScore(deltas, 1);
    const sizes = bytes.sort((x, y) => x - y);
    const dsS = statisticalScore(sizes, 0);
    const score = r3(tsS.score * w.ts + dsS.score * w.ds + hd.durScore * w.dur + hd.histScore * w.hist);
    return { score, tsS, dsS, hd, medianInterval: medianSorted(deltas), medianBytes: medianSorted(sizes), connections: ts.length };
  }

  private finding(f: FlowRecord, s: NonNullable<ReturnType<BeaconDetector['score']>>, now: number): Finding {
    return {
      kind: 'beacon',
      severity: s.score >= this.ctx.c.t.beacon.dangerScore ? 'danger' : 'warning',
      dedupKey: `beacon:${deviceKey(f)}:${f.remoteIp}`,
      at: now,
      device: deviceRef(f),
      remote: { ip: f.remoteIp, port: f.remotePort },
      direction: 'outbound',
      action: 'none',
      params: {
        device: f.deviceIp, remote: f.remoteIp, port: f.remotePort,
        intervalSeconds: Math.round(s.medianInterval), connections: s.connections, scorePercent: Math.round(s.score * 100),
      },
      evidence: {
        score: s.score, tsScore: s.tsS.score, dsScore: s.dsS.score, histScore: s.hd.histScore, durScore: s.hd.durScore,
        tsSkew: r3(s.tsS.skew), tsMadSeconds: s.tsS.mad, dsSkew: r3(s.dsS.skew), dsMadBytes: s.dsS.mad,
        medianIntervalSeconds: s.medianInterval, medianBytes: s.medianBytes, connections: s.connections,
        histogram: s.hd.hist, bars: s.hd.bars, longestRunHours: s.hd.longestRun, coverage: s.hd.coverage,
        consistency: s.hd.consistency, cvScore: s.hd.cvScore, bimodalScore: s.hd.bimodal,
      },
    };
  }

  evict(now: number): void {
    const horizon = now - this.ctx.c.hours(this.ctx.c.t.beacon.windowHours);
    this.pairs.sweep((p) => (this.lastSeen[p] ?? 0) < horizon);
    for (const [k] of this.told.entries()) if (this.slotOfText(k) === undefined) this.told.delete(k);
    this.channels.sweep((m) => {
      for (const [k, at] of m) if (at < now - CHANNEL_HOLD_MS) m.delete(k);
      return m.size === 0;
    });
    this.implicated.sweep((i) => i.at < horizon);
  }
}
