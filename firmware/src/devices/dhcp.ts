// Pure DHCPv4 decoder (RFC 2131 header, RFC 2132 options, RFC 3396 split options,
// RFC 4702 client FQDN). Input is one UDP payload from an untrusted LAN; output is either a
// decoded client message or a typed reason for dropping it. It never throws.
import { u16, u8 } from '../bytes/bigEndian.js';
import { macFromBytes } from '../net/mac.js';

export const DHCP_COOKIE = 0x63825363;
const HEADER_LEN = 236; // op..file, RFC 2131 figure 1
const SNAME_OFF = 44;
const SNAME_LEN = 64;
const FILE_OFF = 108;
const FILE_LEN = 128;

/** Length limits for values chosen by whoever plugs a device in. */
export const LIMITS = { hostname: 64, vendorClass: 128, clientIdBytes: 64, fqdn: 255, prl: 255 } as const;

export type DhcpErrorReason =
  | 'truncated_header'   // shorter than 236 + 4 bytes
  | 'bad_header'         // op not 1/2, hlen > 16
  | 'missing_cookie'     // magic cookie 99.130.83.99 absent
  | 'truncated_option'   // a code or length byte, or the value, runs past the area
  | 'bad_option_length'  // a fixed-size option with the wrong length
  | 'bad_overload'       // option 52 with a value other than 1, 2, 3
  | 'overload_loop'      // option 52 inside the file/sname areas (RFC 2132 9.3 forbids it)
  | 'bad_fqdn';          // option 81 with a broken wire-format name

export interface ClientFqdn {
  flags: number;   // S=1, O=2, E=4, N=8 (RFC 4702 2.1)
  rcode1: number;
  rcode2: number;
  name: string;    // dotted, length-limited
  encoding: 'ascii' | 'wire';
}

export interface DhcpMessage {
  op: number;                 // 1 BOOTREQUEST, 2 BOOTREPLY
  xid: number;
  ciaddr: string;
  yiaddr: string;
  chaddr: string | null;      // "aa:bb:…" when htype 1 / hlen 6
  messageType: number | null; // option 53
  optionCodes: number[];      // codes in wire order, first occurrence only
  hostname: string | null;    // option 12
  requestedIp: string | null; // option 50
  prl: number[];              // option 55, order preserved
  maxSize: number | null;     // option 57
  vendorClass: string | null; // option 60
  clientId: string | null;    // option 61 as lower-case hex
  fqdn: ClientFqdn | null;    // option 81
  overload: number;           // option 52 (0 when absent)
}

export type DhcpResult = { ok: true; message: DhcpMessage } | { ok: false; reason: DhcpErrorReason };

class Malformed extends Error {
  constructor(readonly reason: DhcpErrorReason) {
    super(reason);
  }
}

function ipv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes hostile bytes as text: at most `max` bytes, trailing NULs dropped, invalid UTF-8
 *  replaced (U+FFFD). Escaping for display happens at each output. */
export function safeText(bytes: Uint8Array, max: number): string {
  let end = Math.min(bytes.length, max);
  while (end > 0 && bytes[end - 1] === 0) end--;
  return utf8.decode(bytes.subarray(0, end));
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const x of bytes) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Walks one option area; appends (code, value) pairs, concatenating repeats (RFC 3396). */
function walk(b: Uint8Array, start: number, end: number, into: Map<number, Uint8Array[]>, order: number[]): void {
  let i = start;
  while (i < end) {
    const code = u8(b, i);
    if (code === 0) { i++; continue; }
    if (code === 255) return;
    if (i + 1 >= end) throw new Malformed('truncated_option');
    const len = u8(b, i + 1);
    if (i + 2 + len > end) throw new Malformed('truncated_option');
    const list = into.get(code);
    if (list) list.push(b.subarray(i + 2, i + 2 + len));
    else { into.set(code, [b.subarray(i + 2, i + 2 + len)]); order.push(code); }
    i += 2 + len;
  }
  // Running out without an END option is common (padding-free clients); tolerated.
}

function joined(parts: Uint8Array[] | undefined): Uint8Array | null {
  if (!parts) return null;
  const [only] = parts;
  if (parts.length === 1 && only !== undefined) return only;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function fixed(v: Uint8Array | null, len: number): Uint8Array | null {
  if (v === null) return null;
  if (v.length !== len) throw new Malformed('bad_option_length');
  return v;
}

function decodeFqdn(v: Uint8Array): ClientFqdn {
  if (v.length < 3) throw new Malformed('bad_option_length');
  const flags = u8(v, 0);
  const body = v.subarray(3);
  if ((flags & 0x04) === 0) {
    return { flags, rcode1: u8(v, 1), rcode2: u8(v, 2), name: safeText(body, LIMITS.fqdn), encoding: 'ascii' };
  }
  // Canonical wire format (RFC 1035 3.1, no compression): length-prefixed labels.
  const labels: string[] = [];
  let i = 0;
  while (i < body.length) {
    const len = u8(body, i);
    if (len === 0) break;
    if (len > 63 || i + 1 + len > body.length) throw new Malformed('bad_fqdn');
    labels.push(safeText(body.subarray(i + 1, i + 1 + len), 63));
    i += 1 + len;
  }
  return { flags, rcode1: u8(v, 1), rcode2: u8(v, 2), name: labels.join('.').slice(0, LIMITS.fqdn), encoding: 'wire' };
}

/** Decodes one DHCPv4 message (UDP payload). Returns { ok: false, reason } for every
 *  malformation instead of throwing. */
export function decodeDhcp(b: Uint8Array): DhcpResult {
  try {
    return { ok: true, message: decodeOrThrow(b) };
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, reason: err.reason };
    throw err; // a bug in this file, not bad input
  }
}

function decodeOrThrow(b: Uint8Array): DhcpMessage {
  if (b.length < HEADER_LEN + 4) throw new Malformed('truncated_header');
  const op = u8(b, 0);
  const htype = u8(b, 1);
  const hlen = u8(b, 2);
  if ((op !== 1 && op !== 2) || hlen > 16) throw new Malformed('bad_header');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint32(HEADER_LEN) !== DHCP_COOKIE) throw new Malformed('missing_cookie');

  const opts = new Map<number, Uint8Array[]>();
  const order: number[] = [];
  walk(b, HEADER_LEN + 4, b.length, opts, order);

  let overload = 0;
  const ovParts = opts.get(52) ?? [];
  const ov = fixed(joined(opts.get(52)), 1);
  if (ov !== null) {
    overload = u8(ov, 0);
    if (overload < 1 || overload > 3) throw new Malformed('bad_overload');
    // RFC 3396 order: options, then file, then sname. Option 52 may not appear again.
    const before = ovParts.length; // walk() appends repeats to this same list
    if (overload & 1) walk(b, FILE_OFF, FILE_OFF + FILE_LEN, opts, order);
    if (overload & 2) walk(b, SNAME_OFF, SNAME_OFF + SNAME_LEN, opts, order);
    if (ovParts.length !== before) throw new Malformed('overload_loop');
  }

  const get = (code: number): Uint8Array | null => joined(opts.get(code));
  const mt = fixed(get(53), 1);
  const req = fixed(get(50), 4);
  const ms = fixed(get(57), 2);
  const host = get(12);
  const vc = get(60);
  const cid = get(61);
  if (host !== null && host.length < 1) throw new Malformed('bad_option_length');
  if (cid !== null && cid.length < 2) throw new Malformed('bad_option_length');
  const prlBytes = get(55);
  const f = get(81);

  return {
    op,
    xid: view.getUint32(4),
    ciaddr: ipv4(b, 12),
    yiaddr: ipv4(b, 16),
    chaddr: htype === 1 && hlen === 6 ? macFromBytes(b, 28) : null,
    messageType: mt === null ? null : u8(mt, 0),
    optionCodes: order,
    hostname: host === null ? null : safeText(host, LIMITS.hostname),
    requestedIp: req === null ? null : ipv4(req, 0),
    prl: prlBytes === null ? [] : Array.from(prlBytes.subarray(0, LIMITS.prl)),
    maxSize: ms === null ? null : u16(ms, 0),
    vendorClass: vc === null ? null : safeText(vc, LIMITS.vendorClass),
    clientId: cid === null ? null : hex(cid.subarray(0, LIMITS.clientIdBytes)),
    fqdn: f === null ? null : decodeFqdn(f),
    overload,
  };
}
