// Pure parser of DNS *response* messages (RFC 1035 wire format), reduced to what the name
// sensor needs: the question, and every IPv4/IPv6 address the answer section gives for the
// queried name or for a name its CNAME chain leads to. Each address is mapped to the name the
// client *asked for* (a hostile server can put any name in a CNAME target or an unrelated
// record; the question is what the client's software chose). Every byte is hostile: the parser
// never throws, bounds every loop, and reports a typed reason for whatever it refuses.
import { u16, u32, u8 } from '../bytes/bigEndian.js';
import { ipv6FromBytes } from '../net/ipText.js';

export type DnsErrorReason =
  | 'truncated'      // the message ends inside a header, name or record
  | 'not_response'   // QR = 0: a query, not an answer
  | 'not_query'      // opcode other than QUERY
  | 'tc'             // truncated by the server (the client retries over TCP, which we do not see)
  | 'rcode'          // NXDOMAIN, SERVFAIL, ...
  | 'bad_counts'     // counts no message of this length can hold, or no question
  | 'bad_label'      // reserved label type (0x40/0x80) or a label over 63 bytes
  | 'bad_pointer'    // compression pointer that does not point strictly backwards, or too many jumps
  | 'name_too_long'  // more than 255 bytes in wire form
  | 'bad_chars'      // a byte outside printable ASCII (or a dot) inside a label
  | 'bad_rdata';     // A/AAAA/CNAME data of the wrong size

export interface DnsAddress {
  ip: string;
  family: 4 | 6;
  /** The queried name (lower case, no trailing dot). */
  name: string;
  /** The record's owner when a CNAME chain led there (else undefined). */
  canonical?: string | undefined;
  /** Seconds, as the record says (values with the top bit set count as 0, RFC 2181 8). */
  ttl: number;
}

export interface DnsResponse {
  id: number;
  qname: string;
  qtype: number;
  addresses: DnsAddress[];
  /** Answer records skipped: other types or classes, or owners outside the CNAME chain. */
  ignored: number;
}

export type DnsParseResult = { ok: true; response: DnsResponse } | { ok: false; reason: DnsErrorReason };

const HEADER = 12;
const MAX_NAME = 255;
const MAX_JUMPS = 32;
const MAX_QUESTIONS = 4;
const MAX_CHAIN = 16;
const T_A = 1, T_CNAME = 5, T_AAAA = 28, C_IN = 1;

type NameResult = { name: string; next: number } | DnsErrorReason;

/** Reads a possibly compressed name at `off`. Never throws; returns a reason on bad input. */
export function readName(b: Uint8Array, off: number): NameResult {
  let pos = off;
  let next = -1;        // where the record continues after the name (after the first pointer)
  let wire = 0;         // length in wire form, including length bytes and the root
  let jumps = 0;
  let limit = pos;      // a pointer must point strictly before the place it was read from
  const labels: string[] = [];
  for (;;) {
    if (pos >= b.length) return 'truncated';
    const len = u8(b, pos);
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= b.length) return 'truncated';
      const to = ((len & 0x3f) << 8) | u8(b, pos + 1);
      if (next < 0) next = pos + 2;
      // Strictly backwards from the start of the name part we are in: no loops, no forward jumps.
      if (to >= limit || ++jumps > MAX_JUMPS) return 'bad_pointer';
      pos = to;
      limit = to;
      continue;
    }
    if ((len & 0xc0) !== 0) return 'bad_label';
    wire += len + 1;
    if (wire > MAX_NAME) return 'name_too_long';
    if (len === 0) break;
    if (pos + 1 + len > b.length) return 'truncated';
    let label = '';
    for (let i = pos + 1; i <= pos + len; i++) {
      let c = u8(b, i);
      if (c < 0x21 || c > 0x7e || c === 0x2e) return 'bad_chars';
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      label += String.fromCharCode(c);
    }
    labels.push(label);
    pos += len + 1;
  }
  return { name: labels.join('.'), next: next >= 0 ? next : pos + 1 };
}

/** Parses one DNS response (UDP payload). Never throws; `{ ok: false, reason }` on anything refused. */
export function parseDnsResponse(b: Uint8Array): DnsParseResult {
  const fail = (reason: DnsErrorReason): DnsParseResult => ({ ok: false, reason });
  if (b.length < HEADER) return fail('truncated');
  const flags = u16(b, 2);
  if ((flags & 0x8000) === 0) return fail('not_response');
  if (((flags >> 11) & 0x0f) !== 0) return fail('not_query');
  if ((flags & 0x0200) !== 0) return fail('tc');
  if ((flags & 0x000f) !== 0) return fail('rcode');
  const qd = u16(b, 4), an = u16(b, 6);
  // A question takes at least 5 bytes, an answer record at least 11.
  if (qd === 0 || qd > MAX_QUESTIONS || qd * 5 + an * 11 > b.length - HEADER) return fail('bad_counts');

  let off = HEADER;
  let qname = '', qtype = 0;
  for (let i = 0; i < qd; i++) {
    const n = readName(b, off);
    if (typeof n === 'string') return fail(n);
    if (n.next + 4 > b.length) return fail('truncated');
    if (i === 0) { qname = n.name; qtype = u16(b, n.next); }
    off = n.next + 4;
  }

  interface Rr { owner: string; type: number; ttl: number; data: number; len: number }
  const rrs: Rr[] = [];
  let ignored = 0;
  for (let i = 0; i < an; i++) {
    const n = readName(b, off);
    if (typeof n === 'string') return fail(n);
    const h = n.next;
    if (h + 10 > b.length) return fail('truncated');
    const type = u16(b, h), cls = u16(b, h + 2), ttl32 = u32(b, h + 4), len = u16(b, h + 8);
    if (h + 10 + len > b.length) return fail('truncated');
    off = h + 10 + len;
    if (cls !== C_IN || (type !== T_A && type !== T_AAAA && type !== T_CNAME)) { ignored++; continue; }
    if ((type === T_A && len !== 4) || (type === T_AAAA && len !== 16)) return fail('bad_rdata');
    rrs.push({ owner: n.name, type, ttl: ttl32 > 0x7fffffff ? 0 : ttl32, data: h + 10, len });
  }

  // The chain: qname, then each CNAME target whose owner is the current end (bounded).
  const chain = new Set([qname]);
  let end = qname;
  for (let step = 0; step < MAX_CHAIN; step++) {
    const c = rrs.find((r) => r.type === T_CNAME && r.owner === end);
    if (!c) break;
    const t = readName(b, c.data);
    if (typeof t === 'string') return fail(t);
    if (t.next !== c.data + c.len) return fail('bad_rdata');
    if (chain.has(t.name)) break; // a CNAME loop names nothing new
    chain.add(t.name);
    end = t.name;
  }

  const addresses: DnsAddress[] = [];
  for (const r of rrs) {
    if (r.type === T_CNAME) { if (!chain.has(r.owner)) ignored++; continue; }
    if (!chain.has(r.owner)) { ignored++; continue; }
    const ip = r.type === T_A
      ? `${b[r.data]}.${b[r.data + 1]}.${b[r.data + 2]}.${b[r.data + 3]}`
      : ipv6FromBytes(b, r.data);
    addresses.push({ ip, family: r.type === T_A ? 4 : 6, name: qname, canonical: r.owner === qname ? undefined : r.owner, ttl: r.ttl });
  }
  return { ok: true, response: { id: u16(b, 0), qname, qtype, addresses, ignored } };
}
