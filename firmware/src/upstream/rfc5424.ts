// Pure RFC 5424 formatter. Hostile text (hostnames from DHCP, feed names) may end up in
// structured data or the message, so every field is escaped or restricted to its grammar.

export interface SdElement {
  id: string; // e.g. "utm@32473" (32473 is the RFC 5612 documentation enterprise number)
  params: Record<string, string | number | boolean | null | undefined>;
}

export interface SyslogMessage {
  facility: number; // 0..23
  severity: number; // 0..7
  timestamp: number; // ms since epoch
  hostname: string;
  appName: string;
  procId?: string | undefined;
  msgId: string;
  sd: SdElement[];
  msg: string;
}

/** RFC 5426 receivers must take 480 bytes and should take 2048; we stay within 2048. */
export const MAX_DATAGRAM = 2048;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Keeps printable US-ASCII (33..126) only, cut to `max`; '-' (NILVALUE) when empty. */
export function printAscii(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 33 && c <= 126) out += ch;
    if (out.length >= max) break;
  }
  return out || '-';
}

/** SD-NAME: printable ASCII except '=', ' ', ']', '"'; 1..32 characters. */
export function sdName(s: string): string {
  const n = printAscii(s, 32).replace(/[= \]"]/g, '_');
  return n === '-' ? '_' : n;
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3): '"', '\' and ']' get a backslash; controls go. */
export function sdValue(v: string): string {
  return noControls(v).replace(/[\\"\]]/g, (m) => `\\${m}`);
}

/** Replaces C0/C1 control characters, DEL, line separators and bidi controls (a device name
 *  with U+202E would read backwards on the monitoring centre's console) with a space so a
 *  message stays one line and reads as sent. */
export function noControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, ' ');
}

function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString(); // "2026-11-26T13:37:18.123Z": a valid RFC 5424 TIMESTAMP
}

/** Value lengths tried, longest first, until the header leaves room for some MSG. */
const SMALLEST_VALUE_LIMIT = 16;
const VALUE_LIMITS = [1024, 256, 64, SMALLEST_VALUE_LIMIT];
/** Bytes the header may take, so MSG keeps at least this much of the datagram. */
const HEADER_BUDGET = MAX_DATAGRAM - 256;

function renderSd(sd: readonly SdElement[], maxValue: number): string {
  if (!sd.length) return '-';
  return sd
    .map((e) => {
      const params = Object.entries(e.params)
        .filter(([, v]) => v !== undefined && v !== null)
        // Cut the raw value (by code points) before escaping, so an escape pair is never split.
        .map(([k, v]) => ` ${sdName(k)}="${sdValue(cutChars(String(v), maxValue))}"`)
        .join('');
      return `[${sdName(e.id)}${params}]`;
    })
    .join('');
}

function cutChars(s: string, max: number): string {
  if (s.length <= max) return s;
  return Array.from(s).slice(0, max).join('');
}

/** Formats one message as bytes within MAX_DATAGRAM: long SD-PARAM values are shortened whole
 *  (never cut inside an element or an escape), then MSG is truncated on a UTF-8 boundary. */
export function formatRfc5424(m: SyslogMessage): Buffer {
  const pri = Math.max(0, Math.min(23, m.facility | 0)) * 8 + Math.max(0, Math.min(7, m.severity | 0));
  const prefix =
    `<${pri}>1 ${isoTimestamp(m.timestamp)} ${printAscii(m.hostname, 255)} ${printAscii(m.appName, 48)} ` +
    `${printAscii(m.procId ?? '', 128)} ${printAscii(m.msgId, 32)} `;
  let head = Buffer.alloc(0);
  for (const limit of VALUE_LIMITS) {
    head = Buffer.from(prefix + renderSd(m.sd, limit), 'utf8');
    if (head.length <= HEADER_BUDGET) break;
  }
  if (head.length > HEADER_BUDGET) {
    // Absurdly many params: keep the leading elements that fit (the sequence comes first).
    const last = SMALLEST_VALUE_LIMIT;
    let kept = 0;
    while (kept < m.sd.length && Buffer.byteLength(prefix + renderSd(m.sd.slice(0, kept + 1), last)) <= HEADER_BUDGET) kept++;
    head = Buffer.from(prefix + renderSd(m.sd.slice(0, kept), last), 'utf8');
  }
  const msg = noControls(m.msg);
  if (!msg) return head;
  const room = MAX_DATAGRAM - head.length - 1 - BOM.length;
  if (room <= 0) return head;
  return Buffer.concat([head, Buffer.from(' '), BOM, utf8Prefix(msg, room)]);
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `bytes`. */
export function utf8Prefix(s: string, bytes: number): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= bytes) return b;
  let end = bytes;
  while (end > 0 && ((b[end] ?? 0) & 0xc0) === 0x80) end--; // don't split a multi-byte character
  return b.subarray(0, end);
}
