// Which lines of a feed's new download are byte for byte lines of its last one ("parse only
// what changed", issue 14). The two bodies are compared a block of whole lines at a time with
// native compares (Buffer#compare, Buffer#indexOf); a block found in both need not be read
// again. What is left is two bodies of whole lines: the new lines (`fresh`) and the last
// body's lines not found (`dropped`). For a format whose lines are read each on its own
// (plain, spamhaus-drop, range), entries(new) = entries(last) − entries(dropped) +
// entries(fresh), as multisets; the caller checks the rest (no rejection, same guard). Pure.

/** Bytes compared at a time (to the next line end: ~60 lines of a plain feed). */
export const BLOCK_BYTES = 1024;
/** How far ahead lines are looked for when the two bodies stop following each other: 1/64 of
 *  the last body, 16–256 KiB (a 1% change moved together, as 0.5% of a 1M feed's lines removed
 *  at its head, is ~70 KiB; each parting searches two windows, so not more). */
function windowBytes(prev: Buffer): number {
  return Math.min(256 * 1024, Math.max(NEAR_BYTES, prev.length >> 6));
}

/** The window looked in first. */
const NEAR_BYTES = 16 * 1024;
/** How many times a walk looks as far as windowBytes (where the near window found nothing):
 *  a change spread all over parts the bodies at every block, and each far look costs two
 *  searches of up to 256 KiB. */
const FAR_SEARCHES = 8;

export interface BodyDelta {
  /** The new body's lines not found in the last body, in order (whole lines). */
  fresh: Buffer;
  /** The last body's lines not found in the new body, in order (whole lines). */
  dropped: Buffer;
}

/** Whether the body starts with a UTF-8 byte-order mark (the parser drops it there only). */
function bom(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/** The end (just past its line feed) of the run of whole lines from `at` of about `bytes`
 *  (one block by default); -1 when the body's last line, without a line feed, is in it. */
function chunkEnd(b: Buffer, at: number, bytes = BLOCK_BYTES): number {
  const nl = lineFeedFrom(b, Math.min(b.length - 1, at + bytes - 1));
  return nl < 0 ? -1 : nl + 1;
}

/** Bytes of both bodies walked before the walk gives up when most of what it saw changed. */
const EARLY_BYTES = 128 * 1024;

/** Largest run compared in one call while the bodies keep following each other. */
const MAX_RUN = 256 * 1024;

/** Where `hay[from..from+bytes)` holds `needle` at a line start, or -1. */
function findLines(hay: Buffer, from: number, needle: Buffer, bytes: number): number {
  const window = hay.subarray(from, Math.min(hay.length, from + bytes));
  for (let at = 0; ;) {
    const q = window.indexOf(needle, at);
    if (q < 0) return -1;
    if (from + q === 0 || hay[from + q - 1] === 10) return from + q;
    at = q + 1; // inside a line: not the same lines
  }
}

/**
 * The new lines and the dropped lines of `next` against `prev`, or null when it is not worth
 * it (more than `maxShare` of either body changed) or not safe (a byte-order mark): BodyWalk
 * over the whole body at once.
 */
export function bodyDelta(prev: Buffer, next: Buffer, maxShare = 0.25): BodyDelta | null {
  return new BodyWalk(prev, next.length, maxShare).finish(next);
}

/** Bytes of the new body a step of the walk may read past where it stands (the far window,
 *  a block and its last line, the step's lines): a walk of a body still arriving stops that
 *  far before its end, so each of its steps reads what the walk of the whole body reads. */
function reachBytes(prev: Buffer): number {
  return windowBytes(prev) + 4 * BLOCK_BYTES;
}

/**
 * bodyDelta, walked as the new body arrives (fetch.ts `received`): `advance` with the bytes so
 * far, `finish` with the whole. The two bodies are walked side by side a block of whole lines
 * at a time; where they part, the walk goes on to the first line that differs and steps over
 * the few lines removed, inserted or replaced there (a sorted list's change is one or two here
 * and there); else it looks a window ahead in each for the other's next lines (lines inserted,
 * or removed), else counts one block of each as changed. Every cut is at a line start of its
 * body. While the body arrives the walk stays reachBytes behind its end and never takes a
 * line it has not seen whole: with lines of up to a few KiB it makes the steps the walk of the
 * whole body makes (property test, bodyWalk.test.ts; longer ones may part it elsewhere, as
 * correctly), and only the body's last ~1/64 is left to walk when the download ends.
 */
export class BodyWalk {
  /** The new body's changed lines as [from, to) offsets in it, the last body's in that one. */
  private readonly fresh: number[] = [];
  private readonly dropped: number[] = [];
  private freshBytes = 0;
  private droppedBytes = 0;
  private p = 0; // in next
  private o = 0; // in prev
  private readonly ahead: number;
  private readonly reach: number;
  private farLeft = FAR_SEARCHES;
  private run = BLOCK_BYTES; // grows while the bodies follow each other: few calls over long equal runs
  /** The walk gave up (null), or reached the last body's last line without a line feed. */
  private state: 'walking' | 'given up' | 'at last line' = 'walking';

  /** `total`: the new body's length (its declared Content-Length). */
  constructor(private readonly prev: Buffer, private readonly total: number, private readonly maxShare = 0.25) {
    this.ahead = windowBytes(prev);
    this.reach = reachBytes(prev);
    if (bom(prev)) this.state = 'given up';
  }

  /** Bytes of the new body walked so far. */
  get walkedBytes(): number {
    return this.p;
  }

  /** Walks the first `next.length` bytes of the new body, as far as they decide. */
  advance(next: Buffer): void {
    if (next.length >= this.total) return; // the whole body: finish walks it
    if (bom(next)) this.state = 'given up';
    this.walk(next, next.length - this.reach);
  }

  /** The whole new body (the bytes `advance` saw first): what changed, or null (read it whole). */
  finish(next: Buffer): BodyDelta | null {
    if (next.length !== this.total || bom(next)) return null;
    this.walk(next, next.length);
    if (this.state === 'given up') return null;
    const np = next.length;
    const no = this.prev.length;
    if (this.p < np) this.take('fresh', this.p, np);
    if (this.o < no) this.take('dropped', this.o, no);
    if (this.tooMuch()) return null;
    return { fresh: joinLines(next, this.fresh), dropped: joinLines(this.prev, this.dropped) };
  }

  private tooMuch(): boolean {
    return this.freshBytes > this.total * this.maxShare || this.droppedBytes > this.prev.length * this.maxShare;
  }

  /** Steps from where the walk stands while it stands before `until` in `next` (all of it
   *  when `until` is its length: the whole body). */
  private walk(next: Buffer, until: number): void {
    const prev = this.prev;
    const whole = until >= next.length;
    const np = next.length;
    const no = prev.length;
    let { p, o, run } = this;
    while (this.state === 'walking' && p < until && o < no) {
      if (run > BLOCK_BYTES) {
        // a body still arriving: a run no longer than what is there past a block
        const re = chunkEnd(prev, o, whole ? run : Math.min(run, np - p - 2 * BLOCK_BYTES));
        if (re > 0 && p + (re - o) <= np && next.compare(prev, o, re, p, p + (re - o)) === 0) {
          p += re - o;
          o = re;
          run = Math.min(MAX_RUN, run * 2);
          continue;
        }
        run = BLOCK_BYTES; // they part within it: block by block again
      }
      const oe = chunkEnd(prev, o);
      if (oe < 0) {
        this.state = 'at last line'; // the last body's last line has no line feed: it is read again
        break;
      }
      const len = oe - o;
      // the next block of the last body follows: one compare of ~1 KiB
      if (p + len <= np && next.compare(prev, o, oe, p, p + len) === 0) {
        p += len;
        o = oe;
        run = 2 * BLOCK_BYTES;
        continue;
      }
      // where in the block they part, to the line: the lines before it are the same; there, a
      // few lines inserted, removed or replaced (a sorted list's change is one or two here and
      // there: a block of each side read for each would be most of the body)
      const same = lineStart(prev, o, o + samePrefix(prev, o, oe, next, p));
      if (same > o) {
        p += same - o;
        o = same;
        continue;
      }
      const step = lineStep(prev, o, next, p);
      if (step) {
        if (step.fresh > p) p = this.take('fresh', p, step.fresh);
        if (step.dropped > o) o = this.take('dropped', o, step.dropped);
        if (this.tooMuch()) this.state = 'given up';
        continue;
      }
      const pe = chunkEnd(next, p);
      // a line longer than what arrived past it: the walk waits for the rest
      if (pe < 0 && !whole) break;
      // the old lines further on (lines inserted), the new lines further on (lines removed): near
      // first, then, a few times a walk, as far as a moved 1% of the body
      let inserted = findLines(next, p, prev.subarray(o, oe), NEAR_BYTES);
      let removed = pe < 0 ? -1 : findLines(prev, o, next.subarray(p, pe), NEAR_BYTES);
      if (inserted < 0 && removed < 0 && this.ahead > NEAR_BYTES && this.farLeft > 0) {
        this.farLeft--;
        inserted = findLines(next, p, prev.subarray(o, oe), this.ahead);
        removed = pe < 0 ? -1 : findLines(prev, o, next.subarray(p, pe), this.ahead);
      }
      if (removed === o) {
        // the new block is the start of the old one (the bodies part within it): the same lines
        o += pe - p;
        p = pe;
        continue;
      }
      if (inserted >= 0 && (removed < 0 || inserted - p <= removed - o)) {
        p = this.take('fresh', p, inserted);
      } else if (removed >= 0) {
        o = this.take('dropped', o, removed);
      } else {
        // both blocks changed: one of each is read
        p = this.take('fresh', p, pe < 0 ? np : pe);
        o = this.take('dropped', o, oe);
      }
      if (this.tooMuch()) this.state = 'given up';
      // most of what was walked changed (a list rewritten, reordered): give up early, each
      // parting costs two window searches, and the whole read is due anyway
      else if (o + p > EARLY_BYTES && 2 * (this.freshBytes + this.droppedBytes) > o + p) this.state = 'given up';
    }
    this.p = p;
    this.o = o;
    this.run = run;
  }

  /** Lines [from, to) of the new body (`fresh`) or of the last (`dropped`) as changed;
   *  returns `to` (where the walk goes on). */
  private take(kind: 'fresh' | 'dropped', from: number, to: number): number {
    if (kind === 'fresh') {
      this.fresh.push(from, to);
      this.freshBytes += to - from;
    } else {
      this.dropped.push(from, to);
      this.droppedBytes += to - from;
    }
    return to;
  }
}

/** How many bytes from prev[o] and next[p] are the same, up to `oe`: a plain loop (V8
 *  optimises it while it runs; ten native compares of a binary search cost more, cold). */
function samePrefix(prev: Buffer, o: number, oe: number, next: Buffer, p: number): number {
  const n = Math.min(oe - o, next.length - p);
  let k = 0;
  while (k < n && prev[o + k] === next[p + k]) k++;
  return k;
}

/** The start of the line of `b` that holds `at` (`from` at the earliest: a line start). */
function lineStart(b: Buffer, from: number, at: number): number {
  if (at <= from) return from;
  return Math.max(from, lineFeedBefore(b, at - 1) + 1);
}

/** Lines looked at on each side for a parting of one or a few lines. */
const STEP_LINES = 8;

/** Where the bodies meet again when, from prev[o] and next[p] (line starts, different lines),
 *  a few lines were removed, inserted or replaced by a few others: the nearest line pair that
 *  is the same again, within STEP_LINES lines on each side, the fewest lines skipped first (a
 *  sorted list's change is a line or two here and there: an hourly list replacing 8% of its
 *  lines changed two or three neighbours together often enough that a step over one line only
 *  left its walk to the block search, which then gave up; fixtures/feeds/versions). Returns the
 *  new positions (`fresh`: next's lines up to it are new; `dropped`: prev's up to it went), or
 *  null (a larger change: the block search takes it). Any pair of the same lines is a correct
 *  meeting point (the lines between are read as dropped and fresh); the nearest reads fewest. */
function lineStep(prev: Buffer, o: number, next: Buffer, p: number): { fresh: number; dropped: number } | null {
  // a[k]..a[k+1] is prev's k-th line from o; b[l]..b[l+1] next's l-th from p; each side's
  // lines found only as far as a pair needs them (most partings meet again at the second pair:
  // all nine of each side found first was ~2 ms of a sorted 100k list's 1% walk, cold)
  const a = [o];
  const b = [p];
  for (let d = 1; d <= 2 * STEP_LINES; d++) {
    for (let k = 0; k <= d; k++) {
      const l = d - k;
      if (!hasLine(prev, a, k) || !hasLine(next, b, l)) continue;
      const s = a[k] ?? 0;
      const e = a[k + 1] ?? 0;
      const q = b[l] ?? 0;
      if (e - s === (b[l + 1] ?? 0) - q && sameBytes(prev, s, e, next, q)) return { fresh: q, dropped: s };
    }
  }
  return null;
}

/** Whether line `k` (counted from starts[0], at most STEP_LINES) of `body` is a whole line, its
 *  start and end then in `starts` (found now when not yet); a last line without a line feed is
 *  not one (the block walk's end takes it). */
function hasLine(body: Buffer, starts: number[], k: number): boolean {
  if (k > STEP_LINES) return false;
  while (starts.length <= k + 1) {
    const e = lineFeedFrom(body, starts[starts.length - 1] ?? 0);
    if (e < 0) return false;
    starts.push(e + 1);
  }
  return true;
}

/** Whether prev[s..e) and next[q..q + e − s) hold the same bytes: a line, compared in a plain
 *  loop (Buffer#compare's argument checks cost more than a line's bytes, cold). */
function sameBytes(prev: Buffer, s: number, e: number, next: Buffer, q: number): boolean {
  for (let k = 0; k < e - s; k++) if (prev[s + k] !== next[q + k]) return false;
  return true;
}

/** The first line feed of `b` at or after `from` (-1: none), and the last at or before `at`:
 *  Uint8Array's own searches (V8's), not Buffer's, whose wrappers check their arguments on each
 *  call, ~1,000 times per sorted 1% walk. */
function lineFeedFrom(b: Uint8Array, from: number): number {
  return Uint8Array.prototype.indexOf.call(b, 10, from);
}
function lineFeedBefore(b: Uint8Array, at: number): number {
  return Uint8Array.prototype.lastIndexOf.call(b, 10, at);
}

/** Lines [at[2i], at[2i + 1]) of `body` as one body: a piece that does not end with a line feed
 *  (only a body's last) gets one, so that it stays a line of its own. A line is copied byte by
 *  byte, a longer piece through a plain view: a sorted list's 1% change has ~1,000 pieces, and
 *  a Buffer#subarray for each, then Buffer.concat, cost ~0.5 ms of its walk, cold. */
function joinLines(body: Buffer, at: readonly number[]): Buffer {
  let n = 0;
  for (let i = 0; i < at.length; i += 2) {
    const s = at[i] ?? 0;
    const e = at[i + 1] ?? 0;
    n += e - s + (e > s && body[e - 1] !== 10 ? 1 : 0);
  }
  const out = Buffer.allocUnsafe(n);
  let k = 0;
  for (let i = 0; i < at.length; i += 2) {
    const s = at[i] ?? 0;
    const e = at[i + 1] ?? 0;
    if (e - s > 64) {
      out.set(new Uint8Array(body.buffer, body.byteOffset + s, e - s), k);
      k += e - s;
    } else for (let j = s; j < e; j++) out[k++] = body[j] ?? 0;
    if (e > s && body[e - 1] !== 10) out[k++] = 10;
  }
  return out;
}
