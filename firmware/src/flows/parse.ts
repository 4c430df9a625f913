// Pure: a typed conntrack flow (sensors/events.ts FlowEvent, typed once by the listener's
// NFCT parser, sensors/nfct.ts) seen from the office: which side is the LAN device, what it
// sent and received. parseFlow() is both steps for callers holding a raw ulogd2 object.
import type { Direction } from '../alerts/types.js';
import type { FlowEvent } from '../sensors/events.js';
import { parseNfct, type NfctErrorReason } from '../sensors/nfct.js';

export type FlowPhase = FlowEvent['phase'];
export type Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';

/** One conntrack flow as the detectors see it. Times are ms since epoch. */
export interface FlowRecord {
  event: FlowPhase;
  ctId: number | undefined;
  family: 4 | 6;
  proto: Proto;
  protoNum: number;
  direction: Direction;
  deviceIp: string;
  deviceMac: string | undefined;
  devicePort: number | undefined;
  remoteIp: string;
  remotePort: number | undefined;
  /** Bytes/packets sent by the LAN device, and received by it. Cumulative for the flow. */
  bytesOut: number;
  bytesIn: number;
  pktsOut: number;
  pktsIn: number;
  start: number;
  /** End of the flow, or the time of the update for `update` events. */
  end: number;
}

export type ParseErrorReason = NfctErrorReason | 'no_lan_side';

export type ParseResult = { ok: true; flow: FlowRecord } | { ok: false; reason: ParseErrorReason };

/** Orients one typed flow towards the office: `isLan(ip)` says which side is the LAN. A flow
 *  with no office side (e.g. the box's own traffic) yields `no_lan_side`. Never throws. */
export function orientFlow(ev: FlowEvent, isLan: (ip: string) => boolean): ParseResult {
  const srcLan = isLan(ev.src);
  const dstLan = isLan(ev.dst);
  if (!srcLan && !dstLan) return { ok: false, reason: 'no_lan_side' };
  // Written out in full, one field order, no spread: `{ ...common, x }` copies into a fresh
  // object and then adds 12 properties one by one on every flow (in the day pass this function
  // alone took 10% of the receiver's CPU and the extra garbage most of its GC, the ingest ratio
  // fell from 0.66 to 0.24 with it). Every record also keeps one hidden class for the detectors;
  // the field order is the one the spread gave (JSON of a record unchanged).
  const proto = PROTOS[ev.protoNum] ?? 'other';
  if (srcLan) {
    // Device opened the flow: outbound (or LAN-to-LAN). orig direction = what it sent.
    return { ok: true, flow: {
      event: ev.phase, ctId: ev.ctId, family: ev.family, proto, protoNum: ev.protoNum, start: ev.start, end: ev.end, direction: dstLan ? 'lan' : 'outbound',
      deviceIp: ev.src, deviceMac: ev.srcMac, devicePort: ev.sport, remoteIp: ev.dst, remotePort: ev.dport,
      bytesOut: ev.origBytes, pktsOut: ev.origPkts, bytesIn: ev.replyBytes, pktsIn: ev.replyPkts,
    } };
  }
  // Opened from outside towards a LAN device (port forward): the device sent the reply side.
  return { ok: true, flow: {
    event: ev.phase, ctId: ev.ctId, family: ev.family, proto, protoNum: ev.protoNum, start: ev.start, end: ev.end, direction: 'inbound',
    deviceIp: ev.dst, deviceMac: undefined, devicePort: ev.dport, remoteIp: ev.src, remotePort: ev.sport,
    bytesOut: ev.replyBytes, pktsOut: ev.replyPkts, bytesIn: ev.origBytes, pktsIn: ev.origPkts,
  } };
}

/** Parses one decoded ulogd2 NFCT object (sensors/nfct.ts) and orients it. Never throws. */
export function parseFlow(input: unknown, isLan: (ip: string) => boolean): ParseResult {
  const r = parseNfct(input, 0);
  return r.ok ? orientFlow(r.event, isLan) : r;
}

const PROTOS: Record<number, Proto> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };
