// Pure parser: one ulogd2 JSON object from the NFCT input plugin (stack
// `ct1:NFCT,ip2str1:IP2STR,json1:JSON`) → a typed FlowRecord seen from the office.
//
// Key names are those of ulogd2 2.0.8 (NFCT output keys after IP2STR):
//   orig.ip.saddr.str / orig.ip.daddr.str (the JSON plugin may print the CIM names
//   src_ip / dest_ip instead), orig.ip.protocol, orig.l4.sport / orig.l4.dport
//   (or src_port / dest_port), orig.raw.pktlen / orig.raw.pktcount,
//   reply.raw.pktlen / reply.raw.pktcount, ct.id, ct.event, flow.start.sec/usec,
//   flow.end.sec/usec, oob.family. NFCT carries no MAC; `orig.mac.str` / `mac.saddr.str`
//   are accepted when a later stack adds them, otherwise the caller fills the MAC
//   from the neighbour table.
// Hand validation (not zod) because this runs for every datagram: see the bench.
import type { Direction } from '../alerts/types.js';
import { normalizeIp } from '../net/ipText.js';
import { normaliseMac } from '../net/mac.js';

export type FlowEvent = 'new' | 'update' | 'end';
export type Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';

/** One conntrack flow as the detectors see it. Times are ms since epoch. */
export interface FlowRecord {
  event: FlowEvent;
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

export type ParseErrorReason =
  | 'not_object' | 'bad_event' | 'bad_address' | 'bad_protocol' | 'bad_counter'
  | 'bad_time' | 'no_lan_side' | 'bad_port';

export type ParseResult = { ok: true; flow: FlowRecord } | { ok: false; reason: ParseErrorReason };

// conntrack message types (libnetfilter_conntrack NFCT_T_*): NEW=1, UPDATE=2, DESTROY=4.
const EVENTS: Record<number, FlowEvent> = { 1: 'new', 2: 'update', 4: 'end' };
const PROTOS: Record<number, Proto> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };

type Obj = Record<string, unknown>;

function str(o: Obj, a: string, b: string): string | undefined {
  const v = o[a] ?? o[b];
  return typeof v === 'string' ? v : undefined;
}

function uint(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return Number(v);
  return undefined;
}

/** The same normal form as packet-log events (net/ipText.ts): RFC 5952 IPv6, strict IPv4. */
function addr(v: string | undefined): { ip: string; family: 4 | 6 } | undefined {
  return v === undefined || v.length > 45 ? undefined : normalizeIp(v);
}

function time(o: Obj, prefix: string): number | undefined {
  const sec = uint(o[`${prefix}.sec`]);
  if (sec === undefined) return undefined;
  const usec = uint(o[`${prefix}.usec`]) ?? 0;
  if (usec >= 1_000_000) return undefined;
  return sec * 1000 + Math.floor(usec / 1000);
}

function port(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  const p = uint(v);
  return p !== undefined && p <= 65535 ? p : null;
}

/** Parse one decoded ulogd2 NFCT JSON object. `isLan(ip)` says which side is the office.
 *  Never throws; malformed input yields `{ ok: false, reason }` for the caller to count. */
export function parseFlow(input: unknown, isLan: (ip: string) => boolean): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, reason: 'not_object' };
  const o = input as Obj;
  const evNum = uint(o['ct.event']);
  const event = evNum === undefined ? undefined : EVENTS[evNum];
  if (event === undefined) return { ok: false, reason: 'bad_event' };

  const src = addr(str(o, 'orig.ip.saddr.str', 'src_ip'));
  const dst = addr(str(o, 'orig.ip.daddr.str', 'dest_ip'));
  if (!src || !dst || src.family !== dst.family) return { ok: false, reason: 'bad_address' };
  const fam = uint(o['oob.family']);
  if (fam !== undefined && fam !== (src.family === 4 ? 2 : 10)) return { ok: false, reason: 'bad_address' };

  const protoNum = uint(o['orig.ip.protocol'] ?? o['ip.protocol']);
  if (protoNum === undefined || protoNum > 255) return { ok: false, reason: 'bad_protocol' };
  const proto = PROTOS[protoNum] ?? 'other';

  const sport = port(o['orig.l4.sport'] ?? o['src_port']);
  const dport = port(o['orig.l4.dport'] ?? o['dest_port']);
  if (sport === null || dport === null) return { ok: false, reason: 'bad_port' };

  const ob = uint(o['orig.raw.pktlen'] ?? 0);
  const op = uint(o['orig.raw.pktcount'] ?? 0);
  const rb = uint(o['reply.raw.pktlen'] ?? 0);
  const rp = uint(o['reply.raw.pktcount'] ?? 0);
  if (ob === undefined || op === undefined || rb === undefined || rp === undefined) return { ok: false, reason: 'bad_counter' };

  const start = time(o, 'flow.start');
  let end = time(o, 'flow.end');
  if (start === undefined) return { ok: false, reason: 'bad_time' };
  if (end === undefined) end = start; // NEW/UPDATE events carry no end; caller may pass its receive time
  if (end < start) return { ok: false, reason: 'bad_time' };

  const srcLan = isLan(src.ip);
  const dstLan = isLan(dst.ip);
  if (!srcLan && !dstLan) return { ok: false, reason: 'no_lan_side' };
  const macRaw = str(o, 'orig.mac.str', 'mac.saddr.str');
  const mac = macRaw === undefined ? undefined : (normaliseMac(macRaw) ?? undefined);
  const ctId = uint(o['ct.id']);
  const family = src.family;

  if (srcLan) {
    // Device opened the flow: outbound (or LAN-to-LAN). orig direction = what it sent.
    return { ok: true, flow: {
      event, ctId, family, proto, protoNum, direction: dstLan ? 'lan' : 'outbound',
      deviceIp: src.ip, deviceMac: mac, devicePort: sport, remoteIp: dst.ip, remotePort: dport,
      bytesOut: ob, pktsOut: op, bytesIn: rb, pktsIn: rp, start, end,
    } };
  }
  // Opened from outside towards a LAN device (port forward): the device sent the reply side.
  return { ok: true, flow: {
    event, ctId, family, proto, protoNum, direction: 'inbound',
    deviceIp: dst.ip, deviceMac: undefined, devicePort: dport, remoteIp: src.ip, remotePort: sport,
    bytesOut: rb, pktsOut: rp, bytesIn: ob, pktsIn: op, start, end,
  } };
}
