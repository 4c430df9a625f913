// Pure parser: one ulogd2 JSON object from the NFCT input plugin (stack
// `ct1:NFCT,ip2str1:IP2STR,json1:JSON`) → a typed FlowEvent. The listener runs it once per
// datagram; everything after it (traffic/, flows/, detectors/) sees typed flows only.
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
import { normalizeIp } from '../net/ipText.js';
import { normaliseMac } from '../net/mac.js';
import type { FlowEvent } from './events.js';

export type NfctErrorReason =
  | 'not_object' | 'bad_event' | 'bad_address' | 'bad_protocol' | 'bad_counter'
  | 'bad_time' | 'bad_port';

export type NfctParseResult = { ok: true; event: FlowEvent } | { ok: false; reason: NfctErrorReason };

// conntrack message types (libnetfilter_conntrack NFCT_T_*): NEW=1, UPDATE=2, DESTROY=4.
const PHASES: Record<number, FlowEvent['phase']> = { 1: 'new', 2: 'update', 4: 'end' };

type Obj = Record<string, unknown>;

/** True when `obj` looks like an NFCT flow record (has `ct.event`), for dispatch. */
export function isNfctShape(obj: Obj): boolean {
  return 'ct.event' in obj;
}

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

/** Parses one decoded ulogd2 NFCT object; `receivedAt` (ms) stamps `at` when it has no end
 *  time. Never throws; malformed input yields `{ ok: false, reason }` for the caller to count. */
export function parseNfct(input: unknown, receivedAt: number): NfctParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, reason: 'not_object' };
  const o = input as Obj;
  const evNum = uint(o['ct.event']);
  const phase = evNum === undefined ? undefined : PHASES[evNum];
  if (phase === undefined) return { ok: false, reason: 'bad_event' };

  const src = addr(str(o, 'orig.ip.saddr.str', 'src_ip'));
  const dst = addr(str(o, 'orig.ip.daddr.str', 'dest_ip'));
  if (!src || !dst || src.family !== dst.family) return { ok: false, reason: 'bad_address' };
  const fam = uint(o['oob.family']);
  if (fam !== undefined && fam !== (src.family === 4 ? 2 : 10)) return { ok: false, reason: 'bad_address' };

  const protoNum = uint(o['orig.ip.protocol'] ?? o['ip.protocol']);
  if (protoNum === undefined || protoNum > 255) return { ok: false, reason: 'bad_protocol' };

  const sport = port(o['orig.l4.sport'] ?? o['src_port']);
  const dport = port(o['orig.l4.dport'] ?? o['dest_port']);
  if (sport === null || dport === null) return { ok: false, reason: 'bad_port' };

  const ob = uint(o['orig.raw.pktlen'] ?? 0);
  const op = uint(o['orig.raw.pktcount'] ?? 0);
  const rb = uint(o['reply.raw.pktlen'] ?? 0);
  const rp = uint(o['reply.raw.pktcount'] ?? 0);
  if (ob === undefined || op === undefined || rb === undefined || rp === undefined) return { ok: false, reason: 'bad_counter' };

  const start = time(o, 'flow.start');
  const endTime = time(o, 'flow.end');
  if (start === undefined) return { ok: false, reason: 'bad_time' };
  const end = endTime ?? start; // NEW/UPDATE events carry no end; the consumer may use its receive time
  if (end < start) return { ok: false, reason: 'bad_time' };

  const macRaw = str(o, 'orig.mac.str', 'mac.saddr.str');
  return { ok: true, event: {
    type: 'flow', at: endTime ?? receivedAt, phase, ctId: uint(o['ct.id']), family: src.family, protoNum,
    src: src.ip, dst: dst.ip, sport, dport, srcMac: macRaw === undefined ? undefined : (normaliseMac(macRaw) ?? undefined),
    origBytes: ob, origPkts: op, replyBytes: rb, replyPkts: rp, start, end,
  } };
}
