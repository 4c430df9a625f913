// Strict IP address library used by the whole product: parse IPv4/IPv6 addresses, CIDR
// prefixes and `a-b` ranges to bigint, format them back in one normal form, and do range
// arithmetic. "Strict" means ambiguous text is rejected, never guessed:
//  - IPv4 must be exactly four decimal octets 0..255 without leading zeros (`012.0.0.1`
//    is octal to inet_aton, decimal to others: rejected), no hex, no `1.2.3` shorthand.
//  - IPv6 groups are 1..4 hex digits; `::` at most once; a dotted-quad tail follows the
//    IPv4 rules; zone ids (`fe80::1%eth0`) are rejected.
//  - IPv4-mapped IPv6 (`::ffff:0:0/96`, e.g. `::ffff:1.2.3.4`) is REJECTED (reason
//    `mapped_ipv4`), not converted: nft matches it under ip6, not ip, so a feed listing it
//    would silently block nothing; converting would let one family's feed edit the other.
//  - No whitespace anywhere (callers trim lines), prefix lengths are decimal without
//    leading zeros, host bits must be zero unless `allowHostBits` is given.
// Output: IPv4 dotted decimal; IPv6 RFC 5952 (lower case, longest zero run compressed).

export type Family = 4 | 6;

/** Machine-readable reasons a text is not an address/prefix/range. */
export type IpParseReason =
  | 'empty'
  | 'too_long'
  | 'whitespace'
  | 'bad_char'
  | 'ipv4_parts'
  | 'leading_zero'
  | 'octet_range'
  | 'bad_ipv6'
  | 'zone_id'
  | 'mapped_ipv4'
  | 'bad_prefix'
  | 'prefix_range'
  | 'host_bits'
  | 'range_order'
  | 'family_mismatch';

/** Thrown by every parser here; branch on `reason`, never on the message. */
export class IpParseError extends Error {
  override readonly name = 'IpParseError';
  constructor(readonly reason: IpParseReason, readonly input: string, options?: { cause?: unknown }) {
    super(`${reason}: ${JSON.stringify(input.slice(0, 80))}`, options);
  }
}

export interface Address { family: Family; value: bigint }
/** Inclusive range of addresses of one family. */
export interface IpRange { family: Family; first: bigint; last: bigint }
/** A range that is exactly one prefix. */
export interface Cidr extends IpRange { prefixLen: number }

export const BITS: Record<Family, number> = { 4: 32, 6: 128 };
export const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };
const MAPPED_FIRST = 0xffffn << 32n;
const MAPPED_LAST = MAPPED_FIRST + MAX[4];
const MAX_TEXT = 100; // longest valid text is a v6 range, well under this

function fail(reason: IpParseReason, input: string): never {
  throw new IpParseError(reason, input);
}

function checkText(text: string): void {
  if (text.length === 0) fail('empty', text);
  if (text.length > MAX_TEXT) fail('too_long', text);
  if (/\s/.test(text)) fail('whitespace', text);
}

/** Fast path for a well-formed dotted quad (the 1M-line case); -1 if anything is off. */
function scanV4(text: string): number {
  let v = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      v = v * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + octet;
}

/** Parse a strict dotted-quad to a number; throws IpParseError. */
function parseV4Number(text: string, whole: string): number {
  const fast = scanV4(text);
  if (fast !== -1) return fast;
  // slow path: same rules, but finds the precise reason
  const parts = text.split('.');
  if (parts.length !== 4) fail('ipv4_parts', whole);
  let v = 0;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || !/^[0-9]+$/.test(p)) fail(p.length > 3 && /^[0-9]+$/.test(p) ? 'octet_range' : 'bad_char', whole);
    if (p.length > 1 && p[0] === '0') fail('leading_zero', whole);
    const n = Number(p);
    if (n > 255) fail('octet_range', whole);
    v = v * 256 + n;
  }
  return v;
}

function parseV6(text: string, whole: string): bigint {
  if (text.includes('%')) fail('zone_id', whole);
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) fail('bad_char', whole);
  let tailV4: number | null = null;
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseV4Number(text.slice(lastColon + 1), whole);
    body = text.slice(0, lastColon + 1);
    // keep a trailing `::` ("::1.2.3.4"), drop a lone separator ("::ffff:1.2.3.4")
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const dbl = body.indexOf('::');
  if (dbl !== -1 && body.indexOf('::', dbl + 1) !== -1) fail('bad_ipv6', whole);
  const wantGroups = tailV4 === null ? 8 : 6;
  const splitGroups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let groups: string[];
  if (dbl === -1) {
    groups = splitGroups(body);
    if (groups.length !== wantGroups) fail('bad_ipv6', whole);
  } else {
    const head = splitGroups(body.slice(0, dbl));
    const tail = splitGroups(body.slice(dbl + 2));
    const missing = wantGroups - head.length - tail.length;
    if (missing < 1) fail('bad_ipv6', whole);
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  }
  let v = 0n;
  for (const g of groups) {
    if (g.length === 0 || g.length > 4 || !/^[0-9A-Fa-f]+$/.test(g)) fail('bad_ipv6', whole);
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== null) v = (v << 32n) | BigInt(tailV4);
  return v;
}

/** Parse one address (no prefix) of either family; throws IpParseError. */
export function parseAddress(text: string): Address {
  checkText(text);
  return parseAddressChecked(text);
}

/** parseAddress for text that already passed checkText (saves a scan per entry at 1M). */
function parseAddressChecked(text: string): Address {
  if (text.length === 0) fail('empty', text);
  if (text.includes(':')) {
    const value = parseV6(text, text);
    if (value >= MAPPED_FIRST && value <= MAPPED_LAST) fail('mapped_ipv4', text);
    return { family: 6, value };
  }
  if (text.includes('/') || text.includes('-')) fail('bad_char', text);
  return { family: 4, value: BigInt(parseV4Number(text, text)) };
}

/** One address read by the strict parser: its family, value and canonical text, or why it is none. */
export type AddressReading =
  | { ok: true; family: Family; value: bigint; text: string }
  | { ok: false; reason: IpParseReason };

/**
 * parseAddress without the throw, for callers that need the reason (config messages) or the
 * family (sensors) back: the canonical text (formatAddress) of exactly one strictly-formed
 * address, or the parser's reason for refusing it. Errors other than IpParseError propagate.
 */
export function readAddress(text: string): AddressReading {
  try {
    const a = parseAddress(text);
    return { ok: true, family: a.family, value: a.value, text: formatAddress(a.family, a.value) };
  } catch (err) {
    if (err instanceof IpParseError) return { ok: false, reason: err.reason };
    throw err;
  }
}

/** The family of exactly one strictly-formed address, or null for anything else. */
export function addressFamily(text: string): Family | null {
  const r = readAddress(text);
  return r.ok ? r.family : null;
}

/** True if `text` is exactly one strictly-formed address. */
export function isValidAddress(text: string): boolean {
  return readAddress(text).ok;
}

/** The canonical text of one address (dotted decimal / RFC 5952: formatAddress of parseAddress),
 *  or null when `text` is not exactly one strictly-formed address. */
export function canonicalAddress(text: string): string | null {
  const r = readAddress(text);
  return r.ok ? r.text : null;
}

/** Mask of the host part of a prefix of length `prefixLen` in `family`. */
export function hostMask(family: Family, prefixLen: number): bigint {
  return (1n << BigInt(BITS[family] - prefixLen)) - 1n;
}

export interface CidrOptions {
  /** Accept `1.2.3.4/24` as 1.2.3.0/24 instead of rejecting it (reason `host_bits`). */
  allowHostBits?: boolean;
}

/** Parse `addr/len`, or a bare address as a host prefix (/32, /128); throws IpParseError. */
export function parseCidr(text: string, opts: CidrOptions = {}): Cidr {
  checkText(text);
  const slash = text.indexOf('/');
  if (slash === -1) {
    const a = parseAddressChecked(text);
    return { family: a.family, first: a.value, last: a.value, prefixLen: BITS[a.family] };
  }
  const lenText = text.slice(slash + 1);
  const a = parseAddressChecked(text.slice(0, slash));
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText)) fail('bad_prefix', text);
  const prefixLen = Number(lenText);
  if (prefixLen > BITS[a.family]) fail('prefix_range', text);
  const mask = hostMask(a.family, prefixLen);
  if ((a.value & mask) !== 0n && !opts.allowHostBits) fail('host_bits', text);
  if (prefixLen === BITS[a.family]) return { family: a.family, first: a.value, last: a.value, prefixLen }; // one bigint, not two: matters at 1M entries
  const first = a.value & ~mask;
  return { family: a.family, first, last: first | mask, prefixLen };
}

/** Parse `a-b` (inclusive, same family, a ≤ b, no spaces); throws IpParseError. */
export function parseRange(text: string): IpRange {
  checkText(text);
  const dash = text.indexOf('-');
  if (dash === -1 || text.indexOf('-', dash + 1) !== -1) fail('bad_char', text);
  const a = parseAddressChecked(text.slice(0, dash));
  const b = parseAddressChecked(text.slice(dash + 1));
  if (a.family !== b.family) fail('family_mismatch', text);
  if (a.value > b.value) fail('range_order', text);
  return { family: a.family, first: a.value, last: b.value };
}

/** Parse an address, a prefix or an `a-b` range into a range; throws IpParseError. */
export function parseEntry(text: string, opts: CidrOptions = {}): IpRange {
  checkText(text);
  if (text.includes('-')) return parseRange(text);
  const c = parseCidr(text, opts);
  return { family: c.family, first: c.first, last: c.last };
}

/** Format an address in normal form (dotted decimal / RFC 5952). */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return formatV6Groups(g);
}

/** RFC 5952 4.2: the longest run (≥ 2) of zero groups, the first one on a tie; at -1 when none. */
export function longestZeroRun(g: readonly number[]): { at: number; len: number } {
  let at = -1, len = 1;
  for (let i = 0; i < g.length; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < g.length && g[j] === 0) j++;
    if (j - i > len) { at = i; len = j - i; }
    i = j;
  }
  return at < 0 ? { at, len: 0 } : { at, len };
}

/** Eight 16-bit groups as RFC 5952 text (lower-case hex, longest zero run as `::`). */
export function formatV6Groups(g: readonly number[]): string {
  const { at, len } = longestZeroRun(g);
  const hex = (xs: readonly number[]): string => xs.map((x) => x.toString(16)).join(':');
  return at < 0 ? hex(g) : `${hex(g.slice(0, at))}::${hex(g.slice(at + len))}`;
}

/** Format a prefix as `addr/len`. */
export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.first)}/${c.prefixLen}`;
}

/** Format a range: a single address, `addr/len` when exact, else `a-b`. */
export function formatRange(r: IpRange): string {
  if (r.first === r.last) return formatAddress(r.family, r.first);
  const c = exactCidr(r);
  if (c) return formatCidr(c);
  return `${formatAddress(r.family, r.first)}-${formatAddress(r.family, r.last)}`;
}

/** Number of addresses in a range. */
export function rangeSize(r: IpRange): bigint {
  return r.last - r.first + 1n;
}

/** The prefix equal to `r`, or null if `r` is not exactly one prefix. */
export function exactCidr(r: IpRange): Cidr | null {
  const size = rangeSize(r);
  if ((size & (size - 1n)) !== 0n) return null; // not a power of two
  if ((r.first & (size - 1n)) !== 0n) return null; // not aligned
  const hostBits = size.toString(2).length - 1;
  return { ...r, prefixLen: BITS[r.family] - hostBits };
}

/** True if `outer` contains every address of `inner` (same family). */
export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

/** True if the two ranges share at least one address. */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** True if `value` of `family` lies in `r`. */
export function rangeHas(r: IpRange, family: Family, value: bigint): boolean {
  return r.family === family && r.first <= value && value <= r.last;
}

/** Split an inclusive range into the minimal list of prefixes, in address order. */
export function rangeToCidrs(r: IpRange): Cidr[] {
  const out: Cidr[] = [];
  const bits = BITS[r.family];
  let cur = r.first;
  while (cur <= r.last) {
    // largest aligned block at `cur` that does not pass `last`
    let size = cur === 0n ? 1n << BigInt(bits) : cur & -cur;
    while (cur + size - 1n > r.last) size >>= 1n;
    const hostBits = size.toString(2).length - 1;
    out.push({ family: r.family, first: cur, last: cur + size - 1n, prefixLen: bits - hostBits });
    cur += size;
  }
  return out;
}
