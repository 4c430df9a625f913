// The feed parser's fast paths on bytes (parse.ts uses them): runs of lines that are exactly
// one IPv4 address or prefix, and csv lines whose column is one, read in the downloaded bytes
// as numbers, without a string, a bigint or an object per line. Anything else is left to the
// full parser, which accepts the same lines with the same result (property tests in
// test/unit/blocklist/numericParse.test.ts). Top-level functions on purpose: V8 keeps their
// optimised code from one feed to the next (a loop inside parseFeed, whose closures are new at
// every call, was thrown away each time and ran cold through half of a 100k feed). Pure.
import { scanV4Line } from '../net/cidrNumbers.js';

/** Reads lines from `pos` while each is exactly one IPv4 address or prefix (scanV4Line),
 *  handing each to `onV4`; returns the position of the first line it did not read (past the
 *  body's end when it read to the end) and writes how many lines it read into `out[2]`
 *  (`out[0]`, `out[1]` are its scratch). */
export function scanV4Run(bytes: Uint8Array, pos: number, allowHostBits: boolean, out: Float64Array, onV4: (first: number, last: number) => void): number {
  const size = bytes.length;
  let n = 0;
  let at = pos;
  while (at <= size) {
    const end = scanV4Line(bytes, at, size, allowHostBits, out);
    if (end < 0) break;
    n++;
    onV4(out[0] ?? 0, out[1] ?? 0);
    at = end + 1;
  }
  out[2] = n;
  return at;
}

/** ASCII blanks String#trim removes: tab, LF, VT, FF, CR, space. */
function blank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The csv line at `from` when it holds no quote, NUL or non-ASCII byte, is at most `maxLine`
 *  long, is not a comment, and its field `column` (0-based; fields split on `delim`, a
 *  printable ASCII byte other than a blank, and trimmed) is one IPv4 address or prefix:
 *  returns the index of its line feed (or the body's end), the entry in `out[0]`, `out[1]`.
 *  -1 otherwise, for the full parser to decide. */
export function csvV4Line(bytes: Uint8Array, from: number, delim: number, column: number, maxLine: number, allowHostBits: boolean, out: Float64Array): number {
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
  if (fs === fe || scanV4Line(bytes, fs, fe, allowHostBits, out) !== fe) return -1;
  return i;
}
