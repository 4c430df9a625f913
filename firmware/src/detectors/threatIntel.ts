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
    // Direction is the office device's: on an outbound flow the remote answering (pktsIn) means
    // something got through; on an inbound one the listed remote sent the packets, and only the
    // device answering (pktsOut) means they talked.
    const inbound = flow.direction === 'inbound';
    if (inbound ? flow.pktsOut === 0 : flow.pktsIn === 0) {
      // Unanswered outbound: nothing got through, counted like a blocked attempt. Unanswered
      // inbound: the device did nothing at all.
      if (inbound) return [];
      return this.onBlocked({ at: flow.end, deviceIp: flow.deviceIp, deviceMac: flow.deviceMac, remoteIp: flow.remoteIp, remotePort: flow.remotePort, feedId: hit.feedId });
    }
    const c = this.ctx.c;
    const now = flow.event === 'new' ? flow.start : flow.end;
    // Inbound contacts (attackers knocking on an exposed service) are one story per device,
    // not one per attacking address.
    const dedupKey = inbound ? `threat_contact:in:${deviceKey(flow)}` : `threat_contact:${deviceKey(flow)}:${flow.remoteIp}`;
    const key = inbound ? dedupKey : `${deviceKey(flow)}|${flow.remoteIp}`;
    const last = this.contacts.peek(key);
    if (last !== undefined && now - last < c.minutes(c.t.threatIntel.reportEveryMinutes)) return [];
    this.contacts.set(key, now);
    // Say only what is known: the lookup may not know when the address was listed (listedAt 0).
    const known = hit.listedAt > 0;
    const reason = hit.action === 'watch' ? 'watch_only'
      : !known ? 'listing_time_unknown'
        : hit.listedAt > flow.start ? 'listed_after_start' : 'answered_while_listed';
    return [{
      kind: 'threat_contact', severity: inbound ? 'warning' : 'danger', dedupKey, at: now,
      device: deviceRef(flow), remote: { ip: flow.remoteIp, port: inbound ? flow.devicePort : flow.remotePort }, direction: flow.direction,
      // A block feed's address is in the kernel's set from now on; a watch feed's never is.
      action: hit.action === 'block' ? 'blocked' : 'watched',
      params: {
        device: flow.deviceIp, remote: flow.remoteIp, port: inbound ? flow.devicePort : flow.remotePort, category: hit.category,
        feed: hit.feedId, watchOnly: hit.action === 'watch', inbound,
      },
      evidence: {
        reason, feedId: hit.feedId, category: hit.category, feedAction: hit.action, listedAt: known ? hit.listedAt : null, flowStart: flow.start,
        flowEnd: flow.end, stillOpen: flow.event !== 'end', openedBy: inbound ? 'remote' : 'device',
        bytesOut: flow.bytesOut, bytesIn: flow.bytesIn, pktsOut: flow.pktsOut, pktsIn: flow.pktsIn,
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
