// Threat-intel contact. A flow to a listed address that actually got answered means the
// device really talked to it: either the feed is watch-only, or the address was listed after
// the connection started (so the block came too late). A blocked attempt is the policy working;
// alone it tells staff nothing new, but a device that keeps trying is itself infected.
import type { Finding } from '../alerts/types.js';
import type { FlowRecord } from '../flows/parse.js';
import { CappedMap } from '../collections/capped.js';
import { deviceKey, deviceRef, type DetectorContext, type FlowDetector } from './context.js';

/** What the blocklist knows about an address. listedAt is ms since epoch (event time). */
export interface Listing { feedId: string; category: string; action: 'block' | 'watch'; listedAt: number }
export type ListedLookup = (ip: string) => Listing | undefined;

/** A packet the policy dropped (from the NFLOG sensor), already oriented to the LAN device. */
export interface BlockedAttempt {
  at: number;
  deviceIp: string;
  deviceMac: string | undefined;
  remoteIp: string;
  remotePort: number | undefined;
  feedId: string | undefined;
}

interface Repeat { times: number[]; remotes: Map<string, number>; lastReported: number; lastSeverity: 'warning' | 'danger' | undefined; lastSeen: number }

export class ThreatIntelDetector implements FlowDetector {
  readonly name = 'threat_intel';
  private readonly contacts: CappedMap<string, number>;
  private readonly repeats: CappedMap<string, Repeat>;

  constructor(private readonly ctx: DetectorContext, private readonly listed: ListedLookup) {
    this.contacts = new CappedMap(ctx.c.t.caps.devices * 4);
    this.repeats = new CappedMap(ctx.c.t.caps.devices);
  }

  size(): number { return this.contacts.size + this.repeats.size; }

  onFlow(flow: FlowRecord): Finding[] {
    if (flow.direction === 'lan') return [];
    const hit = this.listed(flow.remoteIp);
    if (hit === undefined) return [];
    // Unanswered: the remote never replied, nothing got through. Counted like a blocked attempt.
    if (flow.pktsIn === 0) {
      return this.onBlocked({ at: flow.end, deviceIp: flow.deviceIp, deviceMac: flow.deviceMac, remoteIp: flow.remoteIp, remotePort: flow.remotePort, feedId: hit.feedId });
    }
    const c = this.ctx.c;
    const now = flow.event === 'new' ? flow.start : flow.end;
    const key = `${deviceKey(flow)}|${flow.remoteIp}`;
    const last = this.contacts.peek(key);
    if (last !== undefined && now - last < c.minutes(c.t.threatIntel.reportEveryMinutes)) return [];
    this.contacts.set(key, now);
    const listedAfterStart = hit.listedAt > flow.start;
    const reason = hit.action === 'watch' ? 'watch_only' : listedAfterStart ? 'listed_after_start' : 'policy_gap';
    return [{
      kind: 'threat_contact', severity: 'danger', dedupKey: `threat_contact:${deviceKey(flow)}:${flow.remoteIp}`, at: now,
      device: deviceRef(flow), remote: { ip: flow.remoteIp, port: flow.remotePort }, direction: flow.direction,
      action: hit.action === 'block' && listedAfterStart ? 'blocked' : 'watched',
      params: { device: flow.deviceIp, remote: flow.remoteIp, port: flow.remotePort, category: hit.category, feed: hit.feedId, watchOnly: hit.action === 'watch' },
      evidence: {
        reason, feedId: hit.feedId, category: hit.category, feedAction: hit.action, listedAt: hit.listedAt, flowStart: flow.start,
        flowEnd: flow.end, stillOpen: flow.event !== 'end', bytesOut: flow.bytesOut, bytesIn: flow.bytesIn, pktsIn: flow.pktsIn,
      },
    }];
  }

  /** Feed one blocked attempt; returns a "keeps trying" finding when the count crosses a threshold. */
  onBlocked(ev: BlockedAttempt): Finding[] {
    const c = this.ctx.c, ti = c.t.threatIntel;
    const dk = ev.deviceMac ?? ev.deviceIp;
    const r = this.repeats.upsert(dk, () => ({ times: [], remotes: new Map(), lastReported: -Infinity, lastSeverity: undefined, lastSeen: ev.at }));
    r.lastSeen = ev.at;
    const from = ev.at - c.minutes(ti.repeatWindowMinutes);
    r.times.push(ev.at);
    let i = 0;
    while ((r.times[i] ?? Infinity) < from) i++; // past the end stops the walk
    if (i > 0) r.times.splice(0, i);
    if (r.times.length > ti.escalateAttempts * 4) r.times.splice(0, r.times.length - ti.escalateAttempts * 4);
    r.remotes.delete(ev.remoteIp);
    r.remotes.set(ev.remoteIp, ev.at);
    const oldest = r.remotes.keys().next();
    if (r.remotes.size > 32 && !oldest.done) r.remotes.delete(oldest.value);
    const n = r.times.length;
    if (n < ti.repeatAttempts) return [];
    const severity = n >= ti.escalateAttempts ? 'danger' : 'warning';
    const escalated = severity === 'danger' && r.lastSeverity !== 'danger';
    if (!escalated && ev.at - r.lastReported < c.minutes(ti.reportEveryMinutes)) return [];
    r.lastReported = ev.at;
    r.lastSeverity = severity;
    return [{
      kind: 'threat_repeat', severity, dedupKey: `threat_repeat:${dk}`, at: ev.at,
      device: { mac: ev.deviceMac, ip: ev.deviceIp }, remote: { ip: ev.remoteIp, port: ev.remotePort }, direction: 'outbound',
      action: 'blocked', count: n,
      params: { device: ev.deviceIp, remote: ev.remoteIp, attempts: n, minutes: ti.repeatWindowMinutes, addresses: r.remotes.size },
      evidence: {
        attemptsInWindow: n, windowMinutes: ti.repeatWindowMinutes, distinctAddresses: r.remotes.size, lastFeed: ev.feedId ?? null,
        firstAttemptInWindow: r.times[0], lastAttempt: ev.at, recentAddresses: [...r.remotes.keys()].slice(-10), escalated,
      },
    }];
  }

  evict(now: number): void {
    const c = this.ctx.c;
    this.contacts.sweep((at) => at < now - c.minutes(c.t.threatIntel.reportEveryMinutes));
    this.repeats.sweep((r) => r.lastSeen < now - c.minutes(c.t.threatIntel.repeatWindowMinutes));
  }
}
