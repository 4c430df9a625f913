// IPv4 prefixes on plain numbers (an address is a uint32 held in a JS number): the
// iprange-style split of a range into prefixes, and netmasks as nft writes them. The bigint
// twin for any family is net/ip.ts rangeToCidrs; this one costs no allocation per prefix,
// which matters at a million entries. Pure.
import { formatAddress, type Family } from './ip.js';

/** 2^k for k = 0..32, exact as doubles: the size of a block of k host bits. */
export const POW2: Readonly<Float64Array> = Float64Array.from({ length: 33 }, (_, k) => 2 ** k);

/** Calls `emit(network, prefixLen)` for the minimal list of prefixes that covers
 *  `first`..`last` (inclusive, 0 ≤ first ≤ last ≤ 2^32 − 1), in address order. */
export function forEachCidrV4(first: number, last: number, emit: (net: number, len: number) => void): void {
  let cur = first;
  while (cur <= last) {
    const hostBits = cidrHostBitsV4(cur, last);
    emit(cur, 32 - hostBits);
    cur += POW2[hostBits] ?? 0;
  }
}

/** The host bits of the first prefix forEachCidrV4 emits for `cur`..`last` (cur ≤ last): for
 *  loops that cannot take a callback (blocklist/prefixSets.ts splitV4). */
export function cidrHostBitsV4(cur: number, last: number): number {
  // the largest block aligned at `cur` (its trailing zero bits) that does not pass `last`
  // (the floor of log2 of what is left); bit operations read the low 32 bits of `cur`
  const align = cur === 0 ? 32 : 31 - Math.clz32(cur & -cur);
  const left = last - cur + 1;
  const fit = left >= 0x1_0000_0000 ? 32 : 31 - Math.clz32(left);
  return align < fit ? align : fit;
}

/** How many prefixes forEachCidrV4 emits for the range, by prefix length (index 0..32). */
export function countCidrsV4(first: number, last: number, counts: Float64Array | number[]): void {
  forEachCidrV4(first, last, (_net, len) => {
    counts[len] = (counts[len] ?? 0) + 1;
  });
}

/** The netmask of a prefix length as nft's address text: `255.255.255.0`, `ffff:ffff::`. */
export function netmaskText(family: Family, len: number): string {
  const bits = family === 4 ? 32 : 128;
  if (!Number.isInteger(len) || len < 0 || len > bits) throw new RangeError(`prefix length ${len} out of range for IPv${family}`);
  const all = (1n << BigInt(bits)) - 1n;
  return formatAddress(family, all ^ ((1n << BigInt(bits - len)) - 1n));
}

/**
 * Reads the line that starts at `buf[from]` (ASCII; it ends at a line feed, a carriage return
 * right before one, or `to`, at most `buf.length`) when it is exactly `a.b.c.d` or `a.b.c.d/len` in the
 * strict form net/ip.ts parseCidr accepts (no leading zeros, octets ≤ 255, length 0–32
 * without leading zeros, host bits zero unless `allowHostBits`, which masks them as parseCidr
 * does). Writes first and last into `out[0]`, `out[1]` and returns the index of the line's
 * line feed (or `to`); returns -1 on anything else, without saying why: the caller
 * then hands the line's text to parseCidr, which accepts the same inputs with the same result
 * and names the reason for the others. One pass over the bytes, no allocation: this is the
 * per-line path of a 1M-line feed, read without decoding it to a string.
 */
export function scanV4Line(buf: Uint8Array, from: number, to: number, allowHostBits: boolean, out: Float64Array): number {
  const size = Math.min(to, buf.length);
  // octet by octet (1–3 digits, no leading zero, ≤ 255), each followed by a dot but the last:
  // one test per byte, where a loop over bytes asking "digit, dot, slash or end?" took ~1.6×
  // as long (1M lines, 2026-12-03)
  let i = from;
  let v = 0;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (buf[i] !== 46 || i >= size) return -1;
      i++;
    }
    const d0 = i < size ? (buf[i] ?? 0) - 48 : -1;
    if (d0 < 0 || d0 > 9) return -1;
    let octet = d0;
    i++;
    if (d0 !== 0 && i < size) { // a leading 0 is the whole octet: a digit after it fails below
      const d1 = (buf[i] ?? 0) - 48;
      if (d1 >= 0 && d1 <= 9) {
        octet = octet * 10 + d1;
        i++;
        const d2 = i < size ? (buf[i] ?? 0) - 48 : -1;
        if (d2 >= 0 && d2 <= 9) {
          octet = octet * 10 + d2;
          i++;
          if (octet > 255) return -1;
        }
      }
    }
    v = v * 256 + octet;
  }
  let len = 32;
  if (i < size && buf[i] === 47) { // `/len`: 0–32, no leading zero
    i++;
    const d0 = i < size ? (buf[i] ?? 0) - 48 : -1;
    if (d0 < 0 || d0 > 9) return -1;
    len = d0;
    i++;
    const d1 = i < size ? (buf[i] ?? 0) - 48 : -1;
    if (d1 >= 0 && d1 <= 9) {
      if (d0 === 0) return -1;
      len = len * 10 + d1;
      i++;
      if (len > 32) return -1;
    }
  }
  if (i < size) { // the line ends here: a line feed, or a carriage return before one (or the end)
    const c = buf[i];
    if (c === 13) {
      if (i + 1 < size && buf[i + 1] !== 10) return -1;
      i++;
    } else if (c !== 10) {
      return -1;
    }
  }
  if (len === 32) {
    out[0] = v;
    out[1] = v;
    return i;
  }
  const size2 = POW2[32 - len] ?? 1;
  const host = v % size2;
  if (host !== 0 && !allowHostBits) return -1;
  out[0] = v - host;
  out[1] = v - host + size2 - 1;
  return i;
}

/** Sorts uint32 values ascending. Up to RADIX_FROM values: the engine's numeric sort of a
 *  typed array (native code, as fast on its first call as on any other). From there: two
 *  counting passes of 16 bits (LSD radix), linear, no comparison; both digits are counted in
 *  one pass over `xs` (the counts of a digit do not depend on the order): three passes over the
 *  values, not four. Each pass is a top-level function called per chunk of SORT_CHUNK values
 *  (see there), because this runs once per refresh. Returns a new array; `xs` is left as it
 *  was. */
export function sortU32(xs: Uint32Array): Uint32Array {
  const n = xs.length;
  if (n < RADIX_FROM) return xs.slice().sort();
  const tmp = new Uint32Array(n);
  const out = new Uint32Array(n);
  const low = new Uint32Array(65_536);
  const high = new Uint32Array(65_536);
  for (let i = 0; i < n; i += SORT_CHUNK) countDigits(xs, i, Math.min(n, i + SORT_CHUNK), low, high);
  startOffsets(low);
  startOffsets(high);
  for (let i = 0; i < n; i += SORT_CHUNK) scatter(xs, i, Math.min(n, i + SORT_CHUNK), tmp, low, 0);
  for (let i = 0; i < n; i += SORT_CHUNK) scatter(tmp, i, Math.min(n, i + SORT_CHUNK), out, high, 16);
  return out;
}

/** From how many values the radix passes sort faster than the engine's sort. Measured in fresh
 *  processes under the unit's node flags (2026-12-05), first call / second call, ms: 97k values
 *  radix 7.8–8.0 / 3.2–3.4, engine 3.9 / 3.9–4.1; 200k 10.0–10.3 / 5.9–6.0 against 8.0 / 7.9;
 *  400k 15.5 / 11.1–11.7 against 15.8–16.0 / 15.7; 700k 22–23 / 18–20 against 27 / 27. A full
 *  load sorts once, cold (a first load after boot always is). */
const RADIX_FROM = 300_000;

/** Values a pass handles per call. V8 compiles a function called many times in one refresh as
 *  a whole during the first refresh and keeps it; a function called once with a long loop got
 *  only code compiled on the stack (OSR), and was compiled again at its next call, the next
 *  refresh (pipeline bench, 100k: the 1% update's refresh step 28–29 → 22–23 ms CPU). */
const SORT_CHUNK = 4096;

/** Counts of both 16-bit digits of xs[from..to). */
function countDigits(xs: Uint32Array, from: number, to: number, low: Uint32Array, high: Uint32Array): void {
  for (let i = from; i < to; i++) {
    const v = xs[i] ?? 0;
    const l = v & 0xffff;
    const h = v >>> 16;
    low[l] = (low[l] ?? 0) + 1;
    high[h] = (high[h] ?? 0) + 1;
  }
}

/** Counts into starting offsets, in place. */
function startOffsets(counts: Uint32Array): void {
  let at = 0;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b] ?? 0;
    counts[b] = at;
    at += c;
  }
}

/** Values from[i0..i1) into `to` by their digit at `shift` (stable). */
function scatter(from: Uint32Array, i0: number, i1: number, to: Uint32Array, starts: Uint32Array, shift: number): void {
  for (let i = i0; i < i1; i++) {
    const v = from[i] ?? 0;
    const k = (v >>> shift) & 0xffff;
    const at = starts[k] ?? 0;
    to[at] = v;
    starts[k] = at + 1;
  }
}
