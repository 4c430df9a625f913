// The one feed parser. Turns a feed body (its bytes, UTF-8) into address ranges
// plus counts of every rejected line by reason. It never throws on feed content: a bad
// line is counted, a few are kept as length-limited samples, and parsing goes on.
// The rules per format are written out in README.md ("How a feed line is read"); keep the two in step.
import { z } from 'zod';
import { IpParseError, parseCidr, parseEntry, type IpParseReason, type IpRange } from '../net/ip.js';
import { csvV4Line, jsonlV4Line, scanV4Batch, scanV6Batch } from './parseBytes.js';
import type { FeedFormat } from '../config/feedCatalog.js';


/** Why a line was not accepted (address reasons come from net/ip.ts). */
export type LineRejectReason =
  | IpParseReason
  | 'line_too_long'
  | 'nul_byte'
  | 'extra_fields'
  | 'bad_json'
  | 'bad_record'
  | 'bad_csv'
  | 'csv_column_missing';

export interface CsvOptions {
  /** 1-based column number, or a header name (case-insensitive). */
  column: number | string;
  /** Field separator, one character (default `,`). */
  delimiter?: string;
  /** Skip the first non-comment line as a header (implied when `column` is a name). */
  header?: boolean;
}

export interface ParseOptions {
  format: FeedFormat;
  csv?: CsvOptions;
  /** Accept prefixes with host bits set (masked); default false: rejected as `host_bits`. */
  allowHostBits?: boolean;
  /** Lines longer than this many characters are rejected unread (default 1024). */
  maxLineLength?: number;
  /** How many rejected lines to keep as samples (default 5). */
  maxSamples?: number;
  /** Samples are cut to this many characters (default 120). */
  sampleLength?: number;
  /** Stream accepted entries here instead of collecting them in `entries` (saves ~80 MB
   *  per 1M entries when the caller guards and packs them on the fly). */
  onEntry?: (entry: IpRange) => void;
  /** With onEntry: lines whose entry is one IPv4 address or prefix (a plain, drop or range
   *  line that is exactly one, a csv line without quotes, a JSONL record of plain strings)
   *  are read on numbers in the bytes and come here instead, without a string, a bigint or an
   *  object per line (parseBytes.ts; anything else takes the full parser and onEntry). */
  onV4?: (first: number, last: number) => void;
  /** As onV4, in batches (taking its place): entry k of n at `firsts[k]`, `lasts[k]`, valid
   *  during the call, in the order of the lines among the other entries. What a refresh uses:
   *  its per-entry steps are then loops in top-level functions, which V8 keeps optimised from
   *  one refresh to the next (a callback made anew per refresh is not). */
  onV4Batch?: (firsts: Float64Array, lasts: Float64Array, n: number) => void;
  /** With onV4 or onV4Batch: lines whose entry is one IPv6 address or prefix come here the same way, as
   *  words (net/ip6Numbers.ts: first at w[0..3], last at w[4..7]; valid during the call). */
  onV6?: (w: Uint32Array) => void;
  /** As onV6, in batches (taking its place, as onV4Batch does onV4's): entry k of n has its
   *  first address at words[8k..8k+3], its last at words[8k+4..8k+7]. */
  onV6Batch?: (words: Uint32Array, n: number) => void;
}

export interface RejectSample { line: number; reason: LineRejectReason; text: string }

export interface ParseResult {
  format: FeedFormat;
  /** Accepted entries in input order; not yet deduplicated or guarded (empty with onEntry). */
  entries: IpRange[];
  /** Accepted entries, also counted when streamed through onEntry. */
  acceptedTotal: number;
  /** Lines that carried data (accepted + rejected); blanks and comments excluded. */
  dataLines: number;
  rejected: Partial<Record<LineRejectReason, number>>;
  rejectedTotal: number;
  samples: RejectSample[];
  /** Record count the feed declares about itself (Spamhaus JSON metadata), if any. */
  declaredRecords?: number;
}

export const DEFAULT_MAX_LINE = 1024;

/** Entries a batch of onV4Batch holds at most (2 × 32 KiB of numbers). */
export const V4_BATCH = 4096;

/** Entries a batch of onV6Batch holds at most (32 KiB of words). */
export const V6_BATCH = 1024;

/** onV6 as a batch handler. */
function eachV6(onV6: (w: Uint32Array) => void): (words: Uint32Array, n: number) => void {
  const w = new Uint32Array(8);
  return (words, n) => {
    for (let k = 0; k < n; k++) {
      w.set(words.subarray(8 * k, 8 * k + 8));
      onV6(w);
    }
  };
}

/** onV4 as a batch handler. */
function eachV4(onV4: (first: number, last: number) => void): (firsts: Float64Array, lasts: Float64Array, n: number) => void {
  return (firsts, lasts, n) => {
    for (let k = 0; k < n; k++) onV4(firsts[k] ?? 0, lasts[k] ?? 0);
  };
}

const SpamhausRecordSchema = z.looseObject({
  cidr: z.string().describe('IPv4 or IPv6 prefix, e.g. 192.0.2.0/24'),
  sblid: z.string().optional().describe('Spamhaus SBL reference'),
  rir: z.string().optional().describe('Regional registry that allocated the block'),
});
const SpamhausMetaSchema = z.looseObject({
  type: z.literal('metadata').describe('Marks the trailing metadata line'),
  records: z.number().int().nonnegative().optional().describe('Number of records in the file'),
});

class LineReject extends Error {
  constructor(readonly reason: LineRejectReason) {
    super(reason);
  }
}

/** Remove a `#` or `;` comment (whole-line or trailing) and surrounding blanks. */
function stripComment(line: string): string {
  let end = line.length;
  const h = line.indexOf('#');
  if (h !== -1) end = h;
  const s = line.indexOf(';');
  if (s !== -1 && s < end) end = s;
  return line.slice(0, end).trim();
}

/** Split one CSV record (RFC 4180 quoting, no multi-line fields); throws LineReject. */
export function splitCsv(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) throw new LineReject('bad_csv');
        v += line.slice(i, q);
        if (line[q + 1] === '"') { v += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      out.push(v);
      if (i === line.length) return out;
      if (line[i] !== delimiter) throw new LineReject('bad_csv');
      i++;
    } else {
      const d = line.indexOf(delimiter, i);
      const raw = d === -1 ? line.slice(i) : line.slice(i, d);
      if (raw.includes('"')) throw new LineReject('bad_csv');
      out.push(raw.trim());
      if (d === -1) return out;
      i = d + 1;
    }
  }
}

function sanitizeSample(text: string, max: number): string {
  return text.slice(0, max).replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
}

/** Parse a whole feed body (the downloaded bytes, UTF-8, or text); never throws on content,
 *  only on invalid options (TypeError). */
export function parseFeed(body: string | Buffer, opts: ParseOptions): ParseResult {
  const maxLine = opts.maxLineLength ?? DEFAULT_MAX_LINE;
  const maxSamples = opts.maxSamples ?? 5;
  const sampleLength = opts.sampleLength ?? 120;
  const cidrOpts = { allowHostBits: opts.allowHostBits ?? false };
  const onEntry = opts.onEntry;
  const result: ParseResult = { format: opts.format, entries: [], acceptedTotal: 0, dataLines: 0, rejected: {}, rejectedTotal: 0, samples: [] };

  const csv = opts.csv;
  const delimiter = csv?.delimiter ?? ',';
  if (opts.format === 'csv') {
    if (!csv) throw new TypeError('csv format needs csv.column');
    if (delimiter.length !== 1 || delimiter === '"') throw new TypeError('csv delimiter must be one character, not a quote');
    if (typeof csv.column === 'number' && (!Number.isInteger(csv.column) || csv.column < 1)) throw new TypeError('csv column is 1-based');
  }
  let csvIndex = typeof csv?.column === 'number' ? csv.column - 1 : -1;
  let csvHeaderPending = opts.format === 'csv' && (typeof csv?.column === 'string' || csv?.header === true);

  const reject = (lineNo: number, reason: LineRejectReason, text: string): void => {
    result.rejected[reason] = (result.rejected[reason] ?? 0) + 1;
    result.rejectedTotal++;
    if (result.samples.length < maxSamples) result.samples.push({ line: lineNo, reason, text: sanitizeSample(text, sampleLength) });
  };

  /** Returns an entry, null for a non-data line, or throws LineReject/IpParseError. */
  const parseLine = (line: string): IpRange | null => {
    switch (opts.format) {
      case 'plain':
      case 'spamhaus-drop':
      case 'range': {
        const token = stripComment(line);
        if (token === '') return null;
        if (/\s/.test(token)) throw new LineReject('extra_fields');
        if (opts.format === 'range') return parseEntry(token, cidrOpts);
        const c = parseCidr(token, cidrOpts);
        return { family: c.family, first: c.first, last: c.last };
      }
      case 'spamhaus-jsonl': {
        const t = line.trim();
        if (t === '') return null;
        let value: unknown;
        try {
          value = JSON.parse(t);
        } catch {
          throw new LineReject('bad_json'); // the SyntaxError text says nothing the reason does not
        }
        const meta = SpamhausMetaSchema.safeParse(value);
        if (meta.success) {
          if (meta.data.records !== undefined) result.declaredRecords = meta.data.records;
          return null;
        }
        const rec = SpamhausRecordSchema.safeParse(value);
        if (!rec.success) throw new LineReject('bad_record');
        const c = parseCidr(rec.data.cidr, cidrOpts);
        return { family: c.family, first: c.first, last: c.last };
      }
      case 'csv': {
        const t = line.trim();
        if (t === '' || t.startsWith('#')) {
          if (csvHeaderPending && typeof csv?.column === 'string' && t.startsWith('#')) tryHeader(t.slice(1));
          return null;
        }
        if (csvHeaderPending) {
          csvHeaderPending = false;
          if (typeof csv?.column === 'string' && !tryHeader(t)) csvIndex = -1;
          return null;
        }
        const fields = splitCsv(t, delimiter);
        const field = csvIndex >= 0 ? fields[csvIndex] : undefined;
        if (field === undefined || field === '') throw new LineReject('csv_column_missing');
        const c = parseCidr(field, cidrOpts);
        return { family: c.family, first: c.first, last: c.last };
      }
    }
  };

  /** A header may sit in a comment line (abuse.ch does this); match the column name. */
  const tryHeader = (text: string): boolean => {
    if (typeof csv?.column !== 'string') return false;
    let fields: string[];
    try {
      fields = splitCsv(text.trim(), delimiter);
    } catch (err) {
      if (err instanceof LineReject) return false;
      throw err;
    }
    const want = csv.column.toLowerCase();
    const idx = fields.findIndex((f) => f.toLowerCase() === want);
    if (idx === -1) return false;
    csvIndex = idx;
    csvHeaderPending = false;
    return true;
  };

  // Lines are found and, when they are plain IPv4, read in the bytes themselves; any other
  // line is decoded alone (a line feed is never part of a UTF-8 sequence, so decoding line by
  // line gives what decoding the whole body would: invalid bytes become U+FFFD either way).
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const size = bytes.length;
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // byte-order mark
  let lineNo = 0;
  const onBatch = onEntry ? (opts.onV4Batch ?? (opts.onV4 ? eachV4(opts.onV4) : undefined)) : undefined;
  const onV6 = onBatch ? (opts.onV6Batch ?? (opts.onV6 ? eachV6(opts.onV6) : undefined)) : undefined;
  const v4 = new Float64Array(3);
  const batchFirst = new Float64Array(onBatch ? V4_BATCH : 0);
  const batchLast = new Float64Array(onBatch ? V4_BATCH : 0);
  let pending = 0; // entries of a csv or JSONL body in the batch, not yet handed on
  const flush = (): void => {
    if (pending > 0 && onBatch) onBatch(batchFirst, batchLast, pending);
    pending = 0;
  };
  const v6 = onV6 ? new Uint32Array(8 * V6_BATCH) : undefined;
  // csv: a line without quotes, NUL or non-ASCII bytes is split on the delimiter in its bytes
  // (a whitespace delimiter takes the full path: trimming the line would move its fields)
  const delim = delimiter.charCodeAt(0);
  const csvBytes = opts.format === 'csv' && delimiter.length === 1 && delim > 32 && delim < 127;
  while (pos <= size) {
    if (onBatch && opts.format !== 'csv' && opts.format !== 'spamhaus-jsonl') {
      // the lines the full parser reads the same way (same entries), without the strings
      for (;;) {
        pos = scanV4Batch(bytes, pos, cidrOpts.allowHostBits, v4, batchFirst, batchLast);
        const n = v4[2] ?? 0;
        lineNo += n;
        result.dataLines += n;
        result.acceptedTotal += n;
        if (n > 0) onBatch(batchFirst, batchLast, n);
        if (n < V4_BATCH) break;
      }
      if (pos > size) break;
      let read6 = 0;
      while (onV6 && v6) {
        pos = scanV6Batch(bytes, pos, cidrOpts.allowHostBits, v4, v6);
        const n = v4[2] ?? 0;
        lineNo += n;
        result.dataLines += n;
        result.acceptedTotal += n;
        read6 += n;
        if (n > 0) onV6(v6, n);
        if (n < V6_BATCH) break;
      }
      if (read6 > 0) continue; // the next line may be IPv4 again
    } else if (onBatch) {
      // one record or csv line read in the bytes, or -1: the full path below reads it
      const end = opts.format === 'spamhaus-jsonl'
        ? jsonlV4Line(bytes, pos, maxLine, cidrOpts.allowHostBits, v4, v6)
        : csvBytes && csvIndex >= 0 && !csvHeaderPending
          ? csvV4Line(bytes, pos, delim, csvIndex, maxLine, cidrOpts.allowHostBits, v4, v6)
          : -1;
      if (end >= 0) {
        pos = end + 1;
        lineNo++;
        result.dataLines++;
        result.acceptedTotal++;
        if (v4[2] === 6 && v6) {
          flush();
          onV6?.(v6, 1);
        } else {
          batchFirst[pending] = v4[0] ?? 0;
          batchLast[pending] = v4[1] ?? 0;
          if (++pending === V4_BATCH) flush();
        }
        continue;
      }
    }
    let nl = pos;
    while (nl < size && bytes[nl] !== 10) nl++; // a JS loop: Buffer#indexOf costs ~50 ns a call
    const end = nl > pos && bytes[nl - 1] === 13 ? nl - 1 : nl;
    const line = bytes.toString('utf8', pos, end);
    pos = nl + 1;
    lineNo++;
    if (line.length > maxLine) {
      result.dataLines++;
      reject(lineNo, 'line_too_long', line);
      continue;
    }
    if (line.includes('\u0000')) {
      result.dataLines++;
      reject(lineNo, 'nul_byte', line);
      continue;
    }
    try {
      const entry = parseLine(line);
      if (entry === null) continue;
      result.dataLines++;
      result.acceptedTotal++;
      flush();
      if (onEntry) onEntry(entry);
      else result.entries.push(entry);
    } catch (err) {
      if (err instanceof LineReject || err instanceof IpParseError) {
        result.dataLines++;
        reject(lineNo, err.reason, line);
      } else {
        throw err;
      }
    }
  }
  flush();
  return result;
}
