// IPv6 on plain numbers (issue 14): an address is four uint32 words, most significant first,
// held at `i..i+3` of a Uint32Array (a list of n addresses is one Uint32Array of 4n words, so a
// million of them cost 16 MB and no object each). The byte scanner of an address or prefix
// line, comparison, the iprange-style split of a range into prefixes and the sorted-list diff
// (RFC 5952 text: net/ip6Text.ts). The bigint twins (net/ip.ts parseCidr, rangeToCidrs, formatAddress) stay the
// reference: property tests hold these to the same results. Pure.
import { IpParseError, type IpRange } from './ip.js';
import { scanV4Line } from './cidrNumbers.js';

/** Scratch of one address's eight 16-bit groups (the scanner and the writer below). */
const GROUPS = new Uint16Array(8);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const QUAD = new Float64Array(2);

/** A strict dotted quad exactly at buf[from..to) (net/ip.ts IPv4 rules: cidrNumbers.ts
 *  scanV4Line on digits and dots only), or -1. */
function dottedQuad(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = buf[i] ?? 0;
    if (c !== 46 && (c < 48 || c > 57)) return -1;
  }
  return scanV4Line(buf, from, to, false, QUAD) === to ? (QUAD[0] ?? -1) : -1;
}

/**
 * Reads exactly one IPv6 address at buf[from..to) in the strict form net/ip.ts parseAddress
 * accepts (1–4 hex digits a group, `::` at most once and standing for at least one group, an
 * IPv4 tail by the IPv4 rules, no zone id, not IPv4-mapped) into out[at..at+3]. False for
 * anything else, without saying why: the caller hands such text to the full parser.
 */
export function scanV6Address(buf: Uint8Array, from: number, to: number, out: Uint32Array, at: number): boolean {
  let n = 0;
  let dbl = -1;
  let i = from;
  if (to - from < 2) return false;
  if (buf[i] === 58) {
    if (buf[i + 1] !== 58) return false;
    dbl = 0;
    i += 2;
  }
  while (i < to) {
    const start = i;
    let v = 0;
    let h: number;
    while (i < to && (h = hexValue(buf[i] ?? 0)) >= 0) { v = v * 16 + h; i++; }
    if (i < to && buf[i] === 46) { // an IPv4 tail: the rest of the text
      const q = dottedQuad(buf, start, to);
      if (q < 0 || n > 6) return false;
      GROUPS[n++] = q >>> 16;
      GROUPS[n++] = q & 0xffff;
      i = to;
      break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 4 || n === 8) return false;
    GROUPS[n++] = v;
    if (i === to) break;
    if (buf[i] !== 58) return false;
    i++;
    if (buf[i] === 58 && i < to) {
      if (dbl >= 0) return false;
      dbl = n;
      i++;
    } else if (i === to) return false; // a lone trailing colon
  }
  if (dbl < 0 ? n !== 8 : n > 7) return false;
  // spread the groups after `::` to the end, zeros between
  const gap = 8 - n;
  for (let k = 7; k >= 0; k--) {
    const src = dbl < 0 || k < dbl ? k : k - gap;
    const g = dbl >= 0 && k >= dbl && k < dbl + gap ? 0 : (GROUPS[src] ?? 0);
    if (k % 2 === 1) out[at + (k >> 1)] = g;
    else out[at + (k >> 1)] = ((g << 16) | (out[at + (k >> 1)] ?? 0)) >>> 0;
  }
  // IPv4-mapped (::ffff:0:0/96) is refused by the parser (mapped_ipv4)
  return !(out[at] === 0 && out[at + 1] === 0 && out[at + 2] === 0xffff);
}

/** The host-bit mask of word `k` (0..3) of a prefix of length `len` (0..128). */
function hostMaskWord(len: number, k: number): number {
  const inWord = len - 32 * k;
  if (inWord <= 0) return 0xffffffff;
  if (inWord >= 32) return 0;
  return 0xffffffff >>> inWord;
}

/**
 * Reads the line that starts at `buf[from]` (it ends at a line feed, a carriage return right
 * before one, or `to`) when it is exactly one IPv6 address or `address/len` in the strict form
 * net/ip.ts parseCidr accepts (length 0–128 in decimal without leading zeros; host bits zero
 * unless `allowHostBits`, which masks them). Writes first into out[at..at+3] and last into
 * out[at+4..at+7]; returns the index of the line feed (or `to`), -1 on anything else (the caller then
 * takes the full parser, which names the reason). No allocation.
 */
export function scanV6Line(buf: Uint8Array, from: number, to: number, allowHostBits: boolean, out: Uint32Array, at = 0): number {
  const size = Math.min(to, buf.length);
  let nl = from;
  let slash = -1;
  for (; nl < size; nl++) {
    const c = buf[nl] ?? 0;
    if (c === 10) break;
    if (c === 47 && slash < 0) slash = nl;
  }
  const end = nl > from && buf[nl - 1] === 13 ? nl - 1 : nl;
  if (!scanV6Address(buf, from, slash < 0 ? end : slash, out, at)) return -1;
  let len = 128;
  if (slash >= 0) {
    const digits = end - slash - 1;
    if (digits < 1 || digits > 3 || (buf[slash + 1] === 48 && digits > 1)) return -1;
    len = 0;
    for (let i = slash + 1; i < end; i++) {
      const c = buf[i] ?? 0;
      if (c < 48 || c > 57) return -1;
      len = len * 10 + (c - 48);
    }
    if (len > 128) return -1;
  }
  for (let k = 0; k < 4; k++) {
    const m = hostMaskWord(len, k);
    const w = out[at + k] ?? 0;
    if ((w & m) !== 0 && !allowHostBits) return -1;
    out[at + k] = (w & ~m) >>> 0;
    out[at + 4 + k] = (w | m) >>> 0;
  }
  return nl;
}

/** Compares the addresses at a[ai..] and b[bi..]: negative, zero or positive. */
export function cmpV6(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ai + k] ?? 0;
    const y = b[bi + k] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** True when the address at b[bi..] is the one right after a[ai..] or at or before it, i.e.
 *  b ≤ a + 1 (a range ending at `a` and one starting at `b` touch or overlap). */
export function touchesV6(a: Uint32Array, ai: number, b: Uint32Array, bi: number): boolean {
  const c = cmpV6(b, bi, a, ai);
  if (c <= 0) return true;
  // b > a: is b exactly a + 1?
  let carry = 1;
  for (let k = 3; k >= 0; k--) {
    const s = (a[ai + k] ?? 0) + carry;
    const w = s >>> 0;
    carry = s > 0xffffffff ? 1 : 0;
    if (w !== (b[bi + k] ?? 0)) return false;
  }
  return carry === 0;
}

/** Copies the address at src[si..] to dst[di..]. */
export function copyV6(src: Uint32Array, si: number, dst: Uint32Array, di: number): void {
  dst[di] = src[si] ?? 0;
  dst[di + 1] = src[si + 1] ?? 0;
  dst[di + 2] = src[si + 2] ?? 0;
  dst[di + 3] = src[si + 3] ?? 0;
}

/** Adds `delta` (−1 or +1) to the address at xs[i..] in place; returns false on wrap-around. */
export function stepV6(xs: Uint32Array, i: number, delta: 1 | -1): boolean {
  for (let k = 3; k >= 0; k--) {
    const w = xs[i + k] ?? 0;
    if (delta === 1) {
      xs[i + k] = (w + 1) >>> 0;
      if (w !== 0xffffffff) return true;
    } else {
      xs[i + k] = (w - 1) >>> 0;
      if (w !== 0) return true;
    }
  }
  return false;
}

/** Index of the lowest set bit of the address (0..127), 128 when it is zero. */
function trailingZeros(xs: Uint32Array, i: number): number {
  for (let k = 3; k >= 0; k--) {
    const w = xs[i + k] ?? 0;
    if (w !== 0) return 32 * (3 - k) + (31 - Math.clz32(w & -w));
  }
  return 128;
}

const CUR = new Uint32Array(4);
const LEFT = new Uint32Array(4);

/**
 * Calls `emit(words, at, len)` for the minimal list of prefixes covering first..last (the
 * addresses at first[fi..] and last[li..], first ≤ last), in address order; the network is
 * at words[at..at+3] and is valid only during the call. The numeric twin of rangeToCidrs.
 */
export function forEachCidrV6(first: Uint32Array, fi: number, last: Uint32Array, li: number, emit: (words: Uint32Array, at: number, len: number) => void): void {
  copyV6(first, fi, CUR, 0);
  for (;;) {
    const align = trailingZeros(CUR, 0);
    // left = last − cur + 1 (2^128 when it wraps: the whole space)
    let borrow = 0;
    for (let k = 3; k >= 0; k--) {
      const d = (last[li + k] ?? 0) - (CUR[k] ?? 0) - borrow;
      LEFT[k] = d >>> 0;
      borrow = d < 0 ? 1 : 0;
    }
    const whole = !stepV6(LEFT, 0, 1);
    let fit = 128;
    if (!whole) for (let k = 0; k < 4; k++) if ((LEFT[k] ?? 0) !== 0) { fit = 32 * (3 - k) + 31 - Math.clz32(LEFT[k] ?? 0); break; }
    const hostBits = align < fit ? align : fit;
    emit(CUR, 0, 128 - hostBits);
    if (hostBits === 128) return;
    // cur += 2^hostBits; past the end (or wrapped) when that overflows or passes last
    const k0 = 3 - (hostBits >> 5);
    let carry = 2 ** (hostBits & 31);
    for (let k = k0; k >= 0 && carry; k--) {
      const s = (CUR[k] ?? 0) + carry;
      CUR[k] = s >>> 0;
      carry = s > 0xffffffff ? 1 : 0;
    }
    if (carry || cmpV6(CUR, 0, last, li) > 0) return;
  }
}

/** The address at xs[i..] as a bigint (for the rare paths and for tests). */
export function v6BigInt(xs: Uint32Array, i: number): bigint {
  return ((BigInt(xs[i] ?? 0) << 96n) | (BigInt(xs[i + 1] ?? 0) << 64n) | (BigInt(xs[i + 2] ?? 0) << 32n) | BigInt(xs[i + 3] ?? 0));
}

/** Writes a bigint address into out[i..i+3]. */
export function putV6BigInt(v: bigint, out: Uint32Array, i: number): void {
  out[i] = Number((v >> 96n) & 0xffffffffn);
  out[i + 1] = Number((v >> 64n) & 0xffffffffn);
  out[i + 2] = Number((v >> 32n) & 0xffffffffn);
  out[i + 3] = Number(v & 0xffffffffn);
}

/** An IPv6 IpRange as words: first at out[0..3], last at out[4..7]. */
export function rangeToV6Words(r: IpRange, out: Uint32Array): void {
  putV6BigInt(r.first, out, 0);
  putV6BigInt(r.last, out, 4);
}

/** How many addresses a list of words holds. */
export function v6Count(xs: Uint32Array): number {
  return xs.length >>> 2;
}

/** Diff two ascending duplicate-free address lists (4 words each); throws RangeError if
 *  either is not. Against an empty side the other side is returned as it is. */
export function diffV6(prev: Uint32Array, next: Uint32Array): { add: Uint32Array; del: Uint32Array } {
  const ascending = (xs: Uint32Array, what: string): void => {
    for (let i = 4; i < xs.length; i += 4) if (cmpV6(xs, i - 4, xs, i) >= 0) throw new RangeError(`${what} not strictly ascending`);
  };
  ascending(prev, 'prev');
  ascending(next, 'next');
  if (prev.length === 0 || next.length === 0) return { add: next, del: prev };
  const add = new Uint32Array(next.length);
  const del = new Uint32Array(prev.length);
  let na = 0;
  let nd = 0;
  let i = 0;
  let j = 0;
  while (i < prev.length && j < next.length) {
    const c = cmpV6(prev, i, next, j);
    if (c < 0) { copyV6(prev, i, del, nd); nd += 4; i += 4; }
    else if (c > 0) { copyV6(next, j, add, na); na += 4; j += 4; }
    else { i += 4; j += 4; }
  }
  for (; i < prev.length; i += 4) { copyV6(prev, i, del, nd); nd += 4; }
  for (; j < next.length; j += 4) { copyV6(next, j, add, na); na += 4; }
  return { add: add.slice(0, na), del: del.slice(0, nd) };
}

/**
 * The order of `n` keys of `keyWords` words each (4: an address; 8: a first and last address,
 * ordered by first, then last) at keys[stride·i ..] (a permutation of 0..n−1), ascending: LSD
 * radix sort by 16-bit digits, least significant first, skipping a digit all keys share (the
 * low words of /64 prefixes). Linear, no comparison callback.
 */
export function sortV6Order(keys: Uint32Array, stride: number, n: number, keyWords = 4): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // nothing to order (an IPv4 feed's lines, an update's few lines): no 256 KiB count table
  // cleared 8–16 times (~0.9 ms of a 100k update's read, twice per refresh)
  if (n < 2) return order;
  let tmp = new Uint32Array(n);
  const count = new Uint32Array(65_537);
  for (let digit = 0; digit < 2 * keyWords; digit++) {
    const word = keyWords - 1 - (digit >> 1);
    const shift = (digit & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const b = (((keys[stride * i + word] ?? 0) >>> shift) & 0xffff) + 1;
      count[b] = (count[b] ?? 0) + 1;
    }
    let single = false;
    for (let b = 1; b < 65_537; b++) if ((count[b] ?? 0) === n) { single = true; break; }
    if (single) continue;
    for (let b = 1; b < 65_537; b++) count[b] = (count[b] ?? 0) + (count[b - 1] ?? 0);
    for (let i = 0; i < n; i++) {
      const o = order[i] ?? 0;
      const d = ((keys[stride * o + word] ?? 0) >>> shift) & 0xffff;
      const at = count[d] ?? 0;
      tmp[at] = o;
      count[d] = at + 1;
    }
    [order, tmp] = [tmp, order];
  }
  return order;
}

/** Parses one IPv6 entry of snapshot text (`a`, `a/len` or `a-b`, as formatRange writes them)
 *  into out[0..7] (first, last); throws IpParseError (`bad_ipv6`) on anything else. */
export function readV6RangeText(text: string, out: Uint32Array): void {
  if (/[^0-9a-fA-F:./-]/.test(text)) throw new IpParseError('bad_ipv6', text);
  const bytes = Buffer.from(text, 'latin1');
  const dash = text.indexOf('-');
  if (dash < 0) {
    if (scanV6Line(bytes, 0, bytes.length, false, out) !== bytes.length) throw new IpParseError('bad_ipv6', text);
    return;
  }
  if (!scanV6Address(bytes, 0, dash, out, 0) || !scanV6Address(bytes, dash + 1, bytes.length, out, 4) || cmpV6(out, 0, out, 4) > 0) {
    throw new IpParseError('bad_ipv6', text);
  }
}
