// RFC 5952 text of IPv6 addresses and ranges held as words (net/ip6Numbers.ts): one address,
// a range (`a`, `a/len`, `a-b`, as net/ip.ts formatRange writes them), or whole lists written
// into one buffer (nft element text, the snapshot). Split from ip6Numbers.ts by concept. Pure.
import { formatV6Groups } from './ip.js';

/** Scratch of one address's eight 16-bit groups (the writer below). */
const GROUPS = new Uint16Array(8);

/** RFC 5952 text of the address at xs[i..] (lower case, longest zero run as `::`). */
export function v6TextAt(xs: Uint32Array, i: number): string {
  const g: number[] = [];
  for (let k = 0; k < 4; k++) {
    const w = xs[i + k] ?? 0;
    g.push(w >>> 16, w & 0xffff);
  }
  return formatV6Groups(g);
}

/** The prefix length of first..last when the range is exactly one prefix, else -1. */
export function exactPrefixV6(first: Uint32Array, fi: number, last: Uint32Array, li: number): number {
  // a prefix of length L: first and last agree on the first L bits, first has zeros after
  // them and last ones; so first ^ last is 0…01…1 with first & it = 0 and last & it = it
  let len = 128;
  let inHost = false;
  for (let k = 0; k < 4; k++) {
    const f = first[fi + k] ?? 0;
    const l = last[li + k] ?? 0;
    const x = (f ^ l) >>> 0;
    if (inHost) {
      if (x !== 0xffffffff || f !== 0) return -1;
      continue;
    }
    if (x === 0) continue;
    const lead = Math.clz32(x);
    // x must be all ones below its highest bit
    if (x !== 0xffffffff >>> lead || (f & x) !== 0) return -1;
    len = 32 * k + lead;
    inHost = true;
  }
  return len;
}

/** Writes the text of the range first..last (`a`, `a/len` or `a-b`) into buf at `o`; returns
 *  the new end (≤ 83 bytes). */
function writeV6Range(first: Uint32Array, fi: number, last: Uint32Array, li: number, buf: Buffer, o: number): number {
  o = writeV6(first, fi, buf, o);
  const len = exactPrefixV6(first, fi, last, li);
  if (len === 128) return o;
  if (len >= 0) return o + buf.write(`/${len}`, o, 'latin1');
  buf[o++] = 45; // -
  return writeV6(last, li, buf, o);
}

/** Text of the range first..last (`a`, `a/len` or `a-b`: net/ip.ts formatRange's form). */
export function v6RangeText(first: Uint32Array, fi: number, last: Uint32Array, li: number): string {
  const buf = Buffer.allocUnsafe(84);
  return buf.toString('latin1', 0, writeV6Range(first, fi, last, li, buf, 0));
}

/** Text of every range of a list (first, last: 4 words each), written into one buffer and
 *  cut from it: no group array or intermediate string per range (a snapshot's IPv6 list). */
export function v6RangeTexts(first: Uint32Array, last: Uint32Array): string[] {
  const n = first.length >>> 2;
  const buf = Buffer.allocUnsafe(84 * n);
  const out = new Array<string>(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const start = o;
    o = writeV6Range(first, 4 * i, last, 4 * i, buf, o);
    out[i] = buf.toString('latin1', start, o);
  }
  return out;
}

/** `["a","a/len","a-b",…]`: the JSON array of every range's text (v6RangeTexts), written into
 *  one buffer and read out once: no string per range (a snapshot's IPv6 list: 100k ranges took
 *  30–60 ms as strings then JSON.stringify). The texts need no escaping. */
export function v6RangesJson(first: Uint32Array, last: Uint32Array): string {
  const n = first.length >>> 2;
  const buf = Buffer.allocUnsafe(2 + 87 * n);
  let o = 0;
  buf[o++] = 91; // [
  for (let i = 0; i < n; i++) {
    if (i > 0) buf[o++] = 44; // ,
    buf[o++] = 34; // "
    o = writeV6Range(first, 4 * i, last, 4 * i, buf, o);
    buf[o++] = 34;
  }
  buf[o++] = 93; // ]
  return buf.toString('latin1', 0, o);
}

/** Text of every address of a list (4 words each). */
export function v6Texts(xs: Uint32Array): string[] {
  return v6RangeTexts(xs, xs); // a range whose first is its last is written as the address
}

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/** Writes the RFC 5952 text of the address at xs[i..] into buf at `o`; returns the new end. */
function writeV6(xs: Uint32Array, i: number, buf: Buffer, o: number): number {
  for (let k = 0; k < 4; k++) {
    const w = xs[i + k] ?? 0;
    GROUPS[2 * k] = w >>> 16;
    GROUPS[2 * k + 1] = w & 0xffff;
  }
  // the longest run (≥ 2) of zero groups, the first on a tie (ip.ts longestZeroRun)
  let at = -1;
  let runLen = 1;
  for (let s = 0; s < 8;) {
    if (GROUPS[s] !== 0) { s++; continue; }
    let e = s;
    while (e < 8 && GROUPS[e] === 0) e++;
    if (e - s > runLen) { at = s; runLen = e - s; }
    s = e;
  }
  for (let k = 0; k < 8; k++) {
    if (k === at) {
      buf[o++] = 58;
      buf[o++] = 58;
      k += runLen - 1;
      continue;
    }
    if (k > 0 && k !== at + runLen) buf[o++] = 58;
    const g = GROUPS[k] ?? 0;
    let started = false;
    for (let shift = 12; shift >= 0; shift -= 4) {
      const d = (g >>> shift) & 15;
      if (d !== 0 || started || shift === 0) { buf[o++] = HEX[d] ?? 48; started = true; }
    }
  }
  return o;
}

/** `"2001:db8::1",…` of a list of addresses (4 words each) as ASCII bytes in one Buffer
 *  (≤ 42 bytes an address): no string per element (nftSync's IPv6 element lists). */
export function joinV6(xs: Uint32Array): Buffer {
  const n = xs.length >>> 2;
  const buf = Buffer.allocUnsafe(n * 42);
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) buf[o++] = 44;
    buf[o++] = 34;
    o = writeV6(xs, 4 * i, buf, o);
    buf[o++] = 34;
  }
  return buf.subarray(0, o);
}
