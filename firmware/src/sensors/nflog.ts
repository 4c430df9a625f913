// Pure parser: one ulogd2 JSON object for an NFLOG packet (stack NFLOG → BASE → IFINDEX →
// IP2STR → HWHDR → JSON) into a PacketLogEvent. Input is hostile: every field is checked
// and length-limited; failures come back as a typed reason, never as an exception.
//
// Field names are those ulogd2 2.0.8 emits (its JSON output uses the "CIM" names where a
// key has one: ip.saddr.str → src_ip, tcp/udp sport → src_port, ...). Samples captured
// from a real run live in test/fixtures/ulogd/.
import { z } from 'zod';
import type { IpFamily, L4Proto, PacketLogEvent } from './events.js';
import { normalizeIp } from '../net/ipText.js';
import { normaliseMac } from '../net/mac.js';
import { readNflogRecord } from './nflogRecord.js';

const u32 = z.number().int().min(0).max(0xffffffff);

/**
 * The NFLOG fields we use. Other keys are expected (ulogd emits ~40, protocol-dependent).
 * This schema is the specification; the per-datagram path applies it through the faster
 * readNflogRecord (nflogRecord.ts), and a property test keeps both in agreement.
 */
export const NflogRecordSchema = z.looseObject({
  'oob.prefix': z.string().max(128).describe('log prefix of the nft rule'),
  'oob.family': z.number().int().describe('protocol family: 2 inet, 10 inet6, 7 bridge'),
  'oob.protocol': z.number().int().min(0).max(0xffff).optional().describe('ethertype'),
  'oob.time.sec': u32.optional().describe('kernel timestamp, seconds'),
  'oob.time.usec': z.number().int().min(0).max(999_999).optional().describe('microseconds'),
  'ip.protocol': z.number().int().min(0).max(255).describe('IP protocol number'),
  src_ip: z.string().max(64).describe('source address (IP2STR ip.saddr.str)'),
  dest_ip: z.string().max(64).describe('destination address (IP2STR ip.daddr.str)'),
  src_port: z.number().int().min(0).max(65535).optional().describe('TCP/UDP/SCTP source port'),
  dest_port: z.number().int().min(0).max(65535).optional().describe('destination port'),
  'mac.saddr.str': z.string().max(64).optional().describe('source MAC (HWHDR)'),
  'oob.in': z.string().max(64).optional().describe('input interface name ("" if none)'),
  'oob.out': z.string().max(64).optional().describe('output interface name ("" if none)'),
});
export type NflogRecord = z.infer<typeof NflogRecordSchema>;

export type NflogErrorReason =
  | 'not-object' | 'bad-field' | 'bad-prefix' | 'bad-family' | 'bad-address'
  | 'family-mismatch' | 'bad-mac' | 'bad-ifname';

export type NflogParseResult =
  | { ok: true; event: PacketLogEvent }
  | { ok: false; reason: NflogErrorReason; field?: string | undefined };

/** True when `obj` looks like an NFLOG packet record (has a log prefix), for dispatch. */
export function isNflogShape(obj: Record<string, unknown>): boolean {
  return 'oob.prefix' in obj;
}

const PROTO_NAMES: Record<number, L4Proto> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };
const PORT_PROTOS = new Set([6, 17, 132, 136]); // tcp, udp, sctp, udplite
// Printable ASCII only: prefixes are ours, anything else is someone else's or damage.
const PREFIX = /^[\x20-\x7e]*$/;
const IFNAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

function familyOf(rec: NflogRecord): IpFamily | undefined {
  const f = rec['oob.family'];
  if (f === 2) return 4;
  if (f === 10) return 6;
  if (f === 7) { // bridge family: the ethertype says which IP it carries
    if (rec['oob.protocol'] === 0x0800) return 4;
    if (rec['oob.protocol'] === 0x86dd) return 6;
  }
  return undefined;
}

function ifName(v: string | undefined): { ok: boolean; name?: string | undefined } {
  if (v === undefined || v === '') return { ok: true };
  return IFNAME.test(v) ? { ok: true, name: v } : { ok: false };
}

/**
 * Parse one decoded ulogd2 JSON value as an NFLOG packet. `receivedAt` (ms) stands in for
 * the kernel timestamp when ulogd2 has none. Never throws.
 */
export function parseNflogRecord(value: unknown, receivedAt: number): NflogParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not-object' };
  }
  const read = readNflogRecord(value as Record<string, unknown>);
  if (!read.ok) return { ok: false, reason: 'bad-field', field: read.field };
  const rec = read.rec;
  const prefix = rec['oob.prefix'];
  if (!PREFIX.test(prefix)) return { ok: false, reason: 'bad-prefix', field: 'oob.prefix' };
  const family = familyOf(rec);
  if (family === undefined) return { ok: false, reason: 'bad-family', field: 'oob.family' };
  const src = normalizeIp(rec.src_ip);
  if (!src) return { ok: false, reason: 'bad-address', field: 'src_ip' };
  const dst = normalizeIp(rec.dest_ip);
  if (!dst) return { ok: false, reason: 'bad-address', field: 'dest_ip' };
  if (src.family !== family || dst.family !== family) {
    return { ok: false, reason: 'family-mismatch', field: 'oob.family' };
  }
  let srcMac: string | undefined;
  if (rec['mac.saddr.str'] !== undefined) {
    srcMac = normaliseMac(rec['mac.saddr.str']) ?? undefined;
    if (srcMac === undefined) return { ok: false, reason: 'bad-mac', field: 'mac.saddr.str' };
  }
  const inIf = ifName(rec['oob.in']);
  if (!inIf.ok) return { ok: false, reason: 'bad-ifname', field: 'oob.in' };
  const outIf = ifName(rec['oob.out']);
  if (!outIf.ok) return { ok: false, reason: 'bad-ifname', field: 'oob.out' };

  const protoNum = rec['ip.protocol'];
  const hasPorts = PORT_PROTOS.has(protoNum);
  const sec = rec['oob.time.sec'];
  const at = sec === undefined ? receivedAt : sec * 1000 + Math.floor((rec['oob.time.usec'] ?? 0) / 1000);
  return {
    ok: true,
    event: {
      type: 'packet',
      at,
      prefix,
      family,
      proto: PROTO_NAMES[protoNum] ?? protoNum,
      srcIp: src.ip,
      dstIp: dst.ip,
      srcPort: hasPorts ? rec.src_port : undefined,
      dstPort: hasPorts ? rec.dest_port : undefined,
      srcMac,
      inIf: inIf.name,
      outIf: outIf.name,
    },
  };
}
