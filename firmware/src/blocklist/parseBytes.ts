// The feed parser's fast paths on bytes (parse.ts uses them): runs of lines that are exactly
// one IPv4 address or prefix, csv lines whose column is one, and Spamhaus JSONL records whose
// cidr is one (flat objects of plain strings), read in the downloaded bytes
// as numbers, without a string, a bigint or an object per line. Anything else is left to the
// full parser, which accepts the same lines with the same result (property tests in
// test/unit/blocklist/numericParse.test.ts). Top-level functions on purpose: V8 keeps their
// optimised code from one feed to the next (a loop inside parseFeed, whose closures are new at
// every call, was thrown away each time and ran cold through half of a 100k feed). Pure.
import { scanV4Line } from '../net/cidrNumbers.js';
import { scanV6Line } from '../net/ip6Numbers.js';

/** Reads lines from `pos` while each is exactly one IPv4 address or prefix (scanV4Line) and
 *  `firsts` has room, writing each entry into `firsts[k]`, `lasts[k]`; returns the position of
 *  the first line it did not read (past the body's end when it read to the end) and writes how
 *  many lines it read into `out[2]` (`out[0]`, `out[1]` are its scratch). No callback per line:
 *  a function handed in anew at every refresh (a closure) makes V8 throw this loop's optimised
 *  code away at the next refresh ("wrong call target"), so it ran cold at every refresh. */
export function scanV4Batch(bytes: Uint8Array, pos: number, allowHostBits: boolean, out: Float64Array, firsts: Float64Array, lasts: Float64Array): number {
  const size = bytes.length;
  const room = firsts.length;
  let n = 0;
  let at = pos;
  while (at <= size && n < room) {
    const end = scanV4Line(bytes, at, size, allowHostBits, out);
    if (end < 0) break;
    firsts[n] = out[0] ?? 0;
    lasts[n] = out[1] ?? 0;
    n++;
    at = end + 1;
  }
  out[2] = n;
  return at;
}

/** scanV4Batch for lines that are each exactly one IPv6 address or prefix (scanV6Line): entry
 *  k's first address at words[8k..8k+3], its last at words[8k+4..8k+7]. */
export function scanV6Batch(bytes: Uint8Array, pos: number, allowHostBits: boolean, out: Float64Array, words: Uint32Array): number {
  const size = bytes.length;
  const room = words.length >>> 3;
  let n = 0;
  let at = pos;
  while (at <= size && n < room) {
    const end = scanV6Line(bytes, at, size, allowHostBits, words, 8 * n);
    if (end < 0) break;
    n++;
    at = end + 1;
  }
  out[2] = n;
  return at;
}

/** Whether bytes[from..to) is exactly one IPv4 entry (into out[0], out[1]; out[2] = 4) or,
 *  with `v6`, one IPv6 entry (into v6[0..7]; out[2] = 6). */
function entryAt(bytes: Uint8Array, from: number, to: number, allowHostBits: boolean, out: Float64Array, v6: Uint32Array | undefined): boolean {
  out[2] = 4;
  if (scanV4Line(bytes, from, to, allowHostBits, out) === to) return true;
  out[2] = 6;
  return v6 !== undefined && scanV6Line(bytes, from, to, allowHostBits, v6) === to;
}

/** ASCII blanks String#trim removes: tab, LF, VT, FF, CR, space. */
function blank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The csv line at `from` when it holds no quote, NUL or non-ASCII byte, is at most `maxLine`
 *  long, is not a comment, and its field `column` (0-based; fields split on `delim`, a
 *  printable ASCII byte other than a blank, and trimmed) is one IPv4 address or prefix:
 *  returns the index of its line feed (or the body's end), the entry in `out[0]`, `out[1]`
 *  (with `v6`, an IPv6 entry in `v6[0..7]`, `out[2]` saying which). -1 otherwise, for the
 *  full parser to decide. */
export function csvV4Line(bytes: Uint8Array, from: number, delim: number, column: number, maxLine: number, allowHostBits: boolean, out: Float64Array, v6?: Uint32Array): number {
  const size = bytes.length;
  let field = 0;
  let fieldStart = from;
  let fs = -1;
  let fe = -1;
  let first = -1; // the line's first byte that is not blank
  let i = from;
  for (; i < size; i++) {
    const c = bytes[i] ?? 0;
    if (c === 10) break;
    if (c === 34 || c === 0 || c >= 0x80) return -1;
    if (first < 0 && !blank(c)) first = c;
    if (c === delim) {
      if (field === column) { fs = fieldStart; fe = i; }
      field++;
      fieldStart = i + 1;
    }
  }
  const end = i > from && bytes[i - 1] === 13 ? i - 1 : i;
  if (end - from > maxLine || first === 35) return -1; // too long, or a comment: the full path
  if (field === column) { fs = fieldStart; fe = end; }
  if (fs < 0) return -1;
  while (fs < fe && blank(bytes[fs] ?? 0)) fs++;
  while (fe > fs && blank(bytes[fe - 1] ?? 0)) fe--;
  if (fs === fe || !entryAt(bytes, fs, fe, allowHostBits, out, v6)) return -1;
  return i;
}

/** JSON's blanks between tokens: space, tab, CR (a line holds no LF). */
function jsonBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** The index just past the JSON string whose opening quote is at `i`, when it holds only
 *  printable ASCII and no backslash; -1 otherwise (escapes and the rest: the full path). */
function plainJsonString(bytes: Uint8Array, i: number, size: number): number {
  for (let k = i + 1; k < size; k++) {
    const c = bytes[k] ?? 0;
    if (c === 34) return k + 1;
    if (c === 92 || c < 32 || c >= 0x7f) return -1;
  }
  return -1;
}

/** `"cidr"` as bytes. */
const CIDR_KEY = [34, 99, 105, 100, 114, 34];
/** `"type"` as bytes. */
const TYPE_KEY = [34, 116, 121, 112, 101, 34];

function keyIs(bytes: Uint8Array, from: number, to: number, key: readonly number[]): boolean {
  if (to - from !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (bytes[from + k] !== key[k]) return false;
  return true;
}

/** The Spamhaus JSONL line at `from` when it is a flat JSON object whose values are all plain
 *  strings (printable ASCII, no escape), with one `cidr` that is one IPv4 address or prefix and
 *  no `type` (the metadata line), at most `maxLine` long: returns the index of its line feed
 *  (or the body's end), the entry in `out[0]`, `out[1]` (or in `v6`, as csvV4Line). -1 otherwise, for the full parser
 *  (JSON.parse and the record schema) to decide. */
export function jsonlV4Line(bytes: Uint8Array, from: number, maxLine: number, allowHostBits: boolean, out: Float64Array, v6?: Uint32Array): number {
  const size = bytes.length;
  let nl = from;
  while (nl < size && bytes[nl] !== 10) nl++;
  let i = from;
  let end = nl > from && bytes[nl - 1] === 13 ? nl - 1 : nl;
  if (end - from > maxLine) return -1;
  while (i < end && blank(bytes[i] ?? 0)) i++; // the line is trimmed first, as the full path does
  while (end > i && blank(bytes[end - 1] ?? 0)) end--;
  if (bytes[i] !== 123) return -1; // {
  i++;
  let cidrFrom = -1;
  let cidrTo = -1;
  for (;;) {
    while (i < end && jsonBlank(bytes[i] ?? 0)) i++;
    if (bytes[i] !== 34) return -1; // a key (an empty object is not a record: the full path)
    const keyEnd = plainJsonString(bytes, i, end);
    if (keyEnd < 0 || keyIs(bytes, i, keyEnd, TYPE_KEY)) return -1;
    const isCidr = keyIs(bytes, i, keyEnd, CIDR_KEY);
    i = keyEnd;
    while (i < end && jsonBlank(bytes[i] ?? 0)) i++;
    if (bytes[i] !== 58) return -1; // :
    i++;
    while (i < end && jsonBlank(bytes[i] ?? 0)) i++;
    if (bytes[i] !== 34) return -1; // only string values here
    const valueEnd = plainJsonString(bytes, i, end);
    if (valueEnd < 0) return -1;
    if (isCidr) {
      if (cidrFrom >= 0) return -1; // twice: JSON.parse keeps the last; the full path decides
      cidrFrom = i + 1;
      cidrTo = valueEnd - 1;
    }
    i = valueEnd;
    while (i < end && jsonBlank(bytes[i] ?? 0)) i++;
    if (bytes[i] === 44) { i++; continue; } // ,
    if (bytes[i] === 125 && i + 1 === end) break; // } and nothing after it
    return -1;
  }
  if (cidrFrom < 0 || cidrFrom === cidrTo || !entryAt(bytes, cidrFrom, cidrTo, allowHostBits, out, v6)) return -1;
  return nl;
}
