// Encoding a feed's snapshot (blocklist/lastGood.ts, format 2): single addresses apart from the
// other ranges, each as base64 of little-endian uint32s, in steps that can yield to the event
// loop between chunks of the list (the work may run while nft takes an update).
import { v6RangesJson } from './packedV6.js';
import type { PackedRanges } from './packed.js';

/** One feed's last-good entries as a snapshot holds them (lastGood.ts reads and writes them). */
export interface FeedSnapshot {
  feedId: string;
  savedAt: number;
  usable: number;
  ranges: PackedRanges;
}

/** Indexes a snapshot encoder handles between two yields (a few ms of work). */
const CHUNK = 3 << 15;

/** base64 of `xs`' bytes, a chunk at a time (chunks of a multiple of 3 bytes concatenate into
 *  the same text as one call); yields between chunks. */
function* base64Chunks(xs: Uint32Array): Generator<void, string> {
  let out = '';
  for (let i = 0; i < xs.length; i += CHUNK) {
    const part = xs.subarray(i, i + CHUNK);
    out += Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('base64');
    yield;
  }
  return out;
}

/** The steps of encodeSnapshot, yielding between chunks of the list (so the work can run
 *  while nft, another process, takes the update). The text is JSON: the base64 fields are
 *  spliced in as they are (their alphabet needs no escaping; JSON.stringify of a 5 MB string
 *  cost 45–65 ms here). */
function* snapshotSteps(s: FeedSnapshot): Generator<void, string> {
  const { v4First: f, v4Last: l } = s.ranges;
  // the passes over the ranges are top-level functions called per chunk, not loops in this
  // generator: V8 does not compile a loop inside a generator on the stack (OSR), so they ran in
  // the interpreter (100k ranges: ~12 ms cold in the generator, ~4 ms in a function)
  let n = 0;
  for (let i = 0; i < f.length; i += CHUNK) {
    n += countSingles(f, l, i, Math.min(i + CHUNK, f.length));
    yield;
  }
  const singles = new Uint32Array(n);
  const pairs = new Uint32Array(2 * (f.length - n));
  const at = new Float64Array(2); // next index in singles, in pairs
  for (let i = 0; i < f.length; i += CHUNK) {
    splitSingles(f, l, i, Math.min(i + CHUNK, f.length), singles, pairs, at);
    yield;
  }
  const head = JSON.stringify({ version: 2, feedId: s.feedId, savedAt: s.savedAt, usable: s.usable });
  const v4Singles = yield* base64Chunks(singles);
  const v4Ranges = yield* base64Chunks(pairs);
  return `${head.slice(0, -1)},"v4Singles":"${v4Singles}","v4Ranges":"${v4Ranges}","v6":${v6RangesJson(s.ranges)}}`;
}

/** How many of the ranges from..to-1 are single addresses. */
function countSingles(f: Uint32Array, l: Uint32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (f[i] === l[i]) n++;
  return n;
}

/** The ranges from..to-1: single addresses into `singles`, the others as (first, last) into
 *  `pairs`, from the indexes in `at` (moved on). */
function splitSingles(f: Uint32Array, l: Uint32Array, from: number, to: number, singles: Uint32Array, pairs: Uint32Array, at: Float64Array): void {
  let a = at[0] ?? 0;
  let b = at[1] ?? 0;
  for (let i = from; i < to; i++) {
    const x = f[i] ?? 0;
    const y = l[i] ?? 0;
    if (x === y) singles[a++] = x;
    else { pairs[b++] = x; pairs[b++] = y; }
  }
  at[0] = a;
  at[1] = b;
}

/** Runs an encoder's steps to the end at once. */
function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs an encoder's steps, letting the event loop turn between them (I/O callbacks, a child
 *  process being started, run in between). */
async function runStepsYielding<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Serialises a snapshot (pure), format 2: singles apart from the other ranges. */
export function encodeSnapshot(s: FeedSnapshot): string {
  return runSteps(snapshotSteps(s));
}

/** encodeSnapshot, letting the event loop turn between its steps. */
export function encodeSnapshotYielding(s: FeedSnapshot): Promise<string> {
  return runStepsYielding(snapshotSteps(s));
}
