// Last-good entries of every feed, kept in the state dir so a restart enforces exactly what
// was enforced before, in the first apply and before any download. One file per feed
// (`<stateDir>/blocklist/feeds/<id>.snap`), replaced atomically (temp + fsync + rename).
// IPv4 is stored as base64 of little-endian uint32s: single addresses 4 bytes each, other
// ranges as first,last pairs (format 2; format 1, pairs only, is still read): ~5.6 MB for a
// 1M-entry feed of mostly singles (11 MB in format 1, whose write and fsync took 0.15–0.3 s of
// a full load here), read back without parsing 1M strings.
// A refresh that changed little writes only its change against that base, in
// `<id>.delta` (snapshotDelta.ts, snapshotDeltaV6.ts): the base is written again (and the
// delta removed) once the change passes MAX_DELTA_SHARE of the base's ranges. Firmware from
// before 2026-12-04 refuses a format-2 delta and starts from the base alone (an older list it
// enforced) after a rollback.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { v6RangesFromTexts, v6RangesJson, type V6Ranges } from './packedV6.js';
import { applyV6Delta, diffV6Ranges } from './snapshotDeltaV6.js';
import { applyV4Delta, diffV4Ranges, type V4Delta, type V4Ranges } from './snapshotDelta.js';
import { prepareAtomic, writeAtomic } from '../sys/files.js';
import { encodeSnapshot, encodeSnapshotYielding, type FeedSnapshot } from './snapshotEncode.js';
import type { PackedRanges } from './packed.js';
import { errnoCode } from '../errors/errorText.js';

export { encodeSnapshot, type FeedSnapshot };

export class LastGoodError extends Error {
  override name = 'LastGoodError';
}

const SnapshotHead = {
  feedId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/).describe('Feed the entries belong to'),
  savedAt: z.number().describe('When the entries were accepted (ms since epoch)'),
  usable: z.int().min(0).describe('Accepted entries before merging (what the shrink check compares)'),
  v6: z.array(z.string().max(100)).describe('IPv6 ranges as text'),
};
const SnapshotSchema = z.discriminatedUnion('version', [
  z.strictObject({
    version: z.literal(2).describe('Snapshot format version'),
    ...SnapshotHead,
    v4Singles: z.string().describe('base64 of little-endian uint32 single addresses, ascending'),
    v4Ranges: z.string().describe('base64 of little-endian uint32 pairs first,last of the other ranges, ascending'),
  }),
  z.strictObject({
    version: z.literal(1).describe('Snapshot format version (written before 2026-12-02)'),
    ...SnapshotHead,
    v4: z.string().describe('base64 of little-endian uint32 pairs first,last'),
  }),
]);

/** The folder that holds the snapshots. */
export function snapshotDir(stateDir: string): string {
  return join(stateDir, 'blocklist', 'feeds');
}

/** IPv4 ranges as base64 of little-endian uint32 pairs first,last. */
function pairsText(r: V4Ranges): string {
  const n = r.v4First.length;
  const pairs = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    pairs[2 * i] = r.v4First[i] ?? 0; // i < n: never the fallback
    pairs[2 * i + 1] = r.v4Last[i] ?? 0;
  }
  return Buffer.from(pairs.buffer, pairs.byteOffset, pairs.byteLength).toString('base64');
}

/** Reads pairsText back; `sorted`: each range must start after the one before ends + 1. */
function readPairs(text: string, what: string): V4Ranges {
  const buf = Buffer.from(text, 'base64');
  if (buf.length % 8 !== 0) throw new LastGoodError(`snapshot ${what} data has a bad length`);
  const n = buf.length / 8;
  const v4First = new Uint32Array(n);
  const v4Last = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const f = buf.readUInt32LE(8 * i);
    const l = buf.readUInt32LE(8 * i + 4);
    // sorted, disjoint and non-adjacent, as the sets expect: anything else was not written by us
    const prevLast = i > 0 ? v4Last[i - 1] : undefined;
    if (l < f || (prevLast !== undefined && f <= prevLast + 1)) throw new LastGoodError(`snapshot ${what} range ${i} out of order`);
    v4First[i] = f;
    v4Last[i] = l;
  }
  return { v4First, v4Last };
}

/** Singles (base64 of uint32s) and other ranges merged back into one list, checked sorted,
 *  disjoint and non-adjacent. Throws LastGoodError. */
function mergeSingles(singlesText: string, ranges: V4Ranges): V4Ranges {
  const buf = Buffer.from(singlesText, 'base64');
  if (buf.length % 4 !== 0) throw new LastGoodError('snapshot singles data has a bad length');
  const ns = buf.length / 4;
  const nr = ranges.v4First.length;
  const v4First = new Uint32Array(ns + nr);
  const v4Last = new Uint32Array(ns + nr);
  let i = 0;
  let j = 0;
  for (let k = 0; k < ns + nr; k++) {
    const s = i < ns ? buf.readUInt32LE(4 * i) : Infinity;
    const rf = j < nr ? (ranges.v4First[j] ?? 0) : Infinity;
    let f: number;
    let l: number;
    if (s < rf) { f = s; l = s; i++; }
    else { f = rf; l = ranges.v4Last[j] ?? rf; j++; }
    if (k > 0 && f <= (v4Last[k - 1] ?? 0) + 1) throw new LastGoodError(`snapshot v4 range ${k} out of order`);
    v4First[k] = f;
    v4Last[k] = l;
  }
  return { v4First, v4Last };
}

/** A base's change has its own file until it passes this share of the base's ranges. */
export const MAX_DELTA_SHARE = 0.125;

const DeltaBase = {
  savedAt: z.number().describe('savedAt of the base snapshot this change applies to'),
  ranges: z.int().min(0).describe('IPv4 ranges in that base'),
};
const DeltaHead = {
  feedId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/).describe('Feed the entries belong to'),
  savedAt: z.number().describe('When the entries were accepted (ms since epoch)'),
  usable: z.int().min(0).describe('Accepted entries before merging'),
  del: z.string().describe('IPv4 ranges of the base no longer listed: base64 of uint32 pairs'),
  add: z.string().describe('IPv4 ranges listed now and not in the base: base64 of uint32 pairs'),
};
const DeltaSchema = z.discriminatedUnion('version', [
  z.strictObject({
    version: z.literal(2).describe('Delta format version'),
    ...DeltaHead,
    base: z.strictObject({ ...DeltaBase, v6Ranges: z.int().min(0).describe('IPv6 ranges in that base') })
      .describe('The base snapshot this change applies to; another base makes the delta stale'),
    v6Del: z.array(z.string().max(100)).describe('IPv6 ranges of the base no longer listed, as text'),
    v6Add: z.array(z.string().max(100)).describe('IPv6 ranges listed now and not in the base, as text'),
  }),
  z.strictObject({
    version: z.literal(1).describe('Delta format version (written before 2026-12-04: the whole IPv6 list)'),
    ...DeltaHead,
    base: z.strictObject(DeltaBase).describe('The base snapshot this change applies to; another base makes the delta stale'),
    v6: z.array(z.string().max(100)).describe('IPv6 ranges as text (the whole list)'),
  }),
]);

/** How many ranges a list holds, both families. */
function rangeCount(r: PackedRanges): number {
  return r.v4First.length + (r.v6First.length >>> 2);
}

/** The change of `s` against `base` as a delta file's text (pure), format 2: both families'
 *  ranges that left and came. */
export function encodeDelta(base: FeedSnapshot, s: FeedSnapshot, diff: (a: V4Ranges, b: V4Ranges) => V4Delta = diffV4Ranges): { text: string; ranges: number } {
  const d = diff(base.ranges, s.ranges);
  const d6 = diffV6Ranges(base.ranges, s.ranges);
  const head = JSON.stringify({
    version: 2, feedId: s.feedId, base: { savedAt: base.savedAt, ranges: base.ranges.v4First.length, v6Ranges: base.ranges.v6First.length >>> 2 },
    savedAt: s.savedAt, usable: s.usable, del: pairsText(d.del), add: pairsText(d.add),
  });
  const text = `${head.slice(0, -1)},"v6Del":${v6RangesJson(d6.del)},"v6Add":${v6RangesJson(d6.add)}}`;
  return { text, ranges: d.del.v4First.length + d.add.v4First.length + ((d6.del.v6First.length + d6.add.v6First.length) >>> 2) };
}

/** A base with its delta applied; null when the delta belongs to another base (a base written
 *  again after a crash left the old delta). Throws LastGoodError when the delta is malformed. */
export function applyDelta(base: FeedSnapshot, text: string): FeedSnapshot | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LastGoodError('snapshot delta is not JSON', { cause: e });
  }
  const r = DeltaSchema.safeParse(raw);
  if (!r.success) throw new LastGoodError(`snapshot delta refused: ${r.error.issues[0]?.message ?? ''}`);
  const d = r.data;
  if (d.feedId !== base.feedId || d.base.savedAt !== base.savedAt || d.base.ranges !== base.ranges.v4First.length) return null;
  if (d.version === 2 && d.base.v6Ranges !== base.ranges.v6First.length >>> 2) return null;
  let v4: V4Ranges;
  let v6: V6Ranges;
  try {
    v4 = applyV4Delta(base.ranges, { del: readPairs(d.del, 'delta del'), add: readPairs(d.add, 'delta add') });
    v6 = d.version === 1 ? v6RangesFromTexts(d.v6) : applyV6Delta(base.ranges, { del: v6RangesFromTexts(d.v6Del), add: v6RangesFromTexts(d.v6Add) });
  } catch (e) {
    throw new LastGoodError('snapshot delta does not apply to its base', { cause: e });
  }
  return { feedId: base.feedId, savedAt: d.savedAt, usable: d.usable, ranges: { ...v4, ...v6 } };
}

/** Reads a snapshot back; throws LastGoodError if it is malformed or not minimal. */
export function decodeSnapshot(text: string): FeedSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LastGoodError('snapshot is not JSON', { cause: e });
  }
  const r = SnapshotSchema.safeParse(raw);
  if (!r.success) throw new LastGoodError(`snapshot refused: ${r.error.issues[0]?.message ?? ''}`);
  const d = r.data;
  const { v4First, v4Last } = d.version === 1 ? readPairs(d.v4, 'v4') : mergeSingles(d.v4Singles, readPairs(d.v4Ranges, 'v4'));
  let v6;
  try {
    v6 = v6RangesFromTexts(r.data.v6);
  } catch (e) {
    throw new LastGoodError('snapshot v6 entry refused', { cause: e });
  }
  return { feedId: r.data.feedId, savedAt: r.data.savedAt, usable: r.data.usable, ranges: { v4First, v4Last, ...v6 } };
}

/** The files of one feed's snapshot. Format 2 and its deltas are named so that firmware from
 *  before 2026-12-02 does not see them: it reads every `*.json` here as a format-1 snapshot, so
 *  after a rollback to the other slot it would report them broken and start its feeds empty. That
 *  firmware's `<id>.json` (format 1) is left where it is, a list it can still enforce; of the two,
 *  the one saved last is loaded (after a rollback and an update again, the older slot's list may
 *  be the newer). */
type SnapshotFile = 'base' | 'delta' | 'format1';
const SUFFIX: Record<SnapshotFile, string> = { base: '.snap', delta: '.delta', format1: '.json' };

/** A snapshot encoded and not yet written (LastGoodStore.prepare); `discard` (the kernel refused
 *  the entries) removes what was written ahead of `write`. */
export interface PreparedSnapshot { write(): Promise<void>; discard(): Promise<void> }

/** A delta up to this size is written ahead (see prepare); a larger one after, as a base is. */
const AHEAD_MAX_BYTES = 1 << 20;

/** File-backed store of per-feed snapshots. */
export class LastGoodStore {
  /** The base snapshot on disk per feed (what a delta is written against). */
  private readonly bases = new Map<string, FeedSnapshot>();

  /** `diff`: how two range lists differ (a V4Diffs shared with the group contents, which
   *  need the same change). */
  constructor(private readonly stateDir: string, private readonly diff: (a: V4Ranges, b: V4Ranges) => V4Delta = diffV4Ranges) {}

  private file(feedId: string, kind: SnapshotFile): string {
    return join(snapshotDir(this.stateDir), `${feedId}${SUFFIX[kind]}`);
  }

  /** Replaces one feed's snapshot atomically: its change against the base when small, else a
   *  new base (and the old delta removed after it). Throws on I/O errors. */
  async save(s: FeedSnapshot): Promise<void> {
    await (await this.prepare(s)).write();
  }

  /** Encodes one feed's snapshot (the CPU part of `save`, in steps that let the event loop
   *  turn: it can run while nft takes the update) without replacing anything (a small change is
   *  written beside its place); `write()` then replaces the files as `save` does, `discard()`
   *  removes what was written ahead. Call one of them only once the kernel took or refused the
   *  entries, and before preparing that feed's next snapshot. */
  async prepare(s: FeedSnapshot): Promise<PreparedSnapshot> {
    const base = this.bases.get(s.feedId);
    // a delta holds at least the difference in length: skip the walk when that is already too much
    const limit = base ? rangeCount(base.ranges) * MAX_DELTA_SHARE : 0;
    if (base && Math.abs(rangeCount(s.ranges) - rangeCount(base.ranges)) <= limit) {
      const d = encodeDelta(base, s, this.diff);
      if (d.ranges <= limit) {
        const file = this.file(s.feedId, 'delta');
        if (d.text.length > AHEAD_MAX_BYTES) return { write: () => writeAtomic(file, d.text), discard: async () => {} };
        // written beside its place (temp + fsync) while nft takes the update, renamed into place
        // once it did: the fsync (1–15 ms here) no longer follows nft's answer
        const ahead = prepareAtomic(file, d.text);
        ahead.catch(() => undefined); // write() throws it
        return { write: async () => (await ahead).commit(), discard: async () => (await ahead.catch(() => null))?.discard() };
      }
    }
    const text = Buffer.from(await encodeSnapshotYielding(s), 'latin1');
    return {
      write: async () => {
        await writeAtomic(this.file(s.feedId, 'base'), text);
        this.bases.set(s.feedId, s);
        await rm(this.file(s.feedId, 'delta'), { force: true });
      },
      discard: async () => {},
    };
  }

  /** Every readable snapshot; broken ones are reported through `onError` and skipped. */
  async loadAll(onError: (file: string, e: unknown) => void): Promise<FeedSnapshot[]> {
    let files: string[];
    try {
      files = await readdir(snapshotDir(this.stateDir));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return [];
      throw e;
    }
    const latest = new Map<string, FeedSnapshot>();
    const keep = (s: FeedSnapshot): void => {
      const had = latest.get(s.feedId);
      if (!had || s.savedAt > had.savedAt) latest.set(s.feedId, s);
    };
    for (const f of files.filter((x) => x.endsWith(SUFFIX.base) || x.endsWith(SUFFIX.format1)).sort()) {
      let base: FeedSnapshot;
      try {
        base = decodeSnapshot(await readFile(join(snapshotDir(this.stateDir), f), 'utf8'));
      } catch (e) {
        onError(f, e);
        continue;
      }
      if (f.endsWith(SUFFIX.format1)) {
        keep(base);
        continue;
      }
      this.bases.set(base.feedId, base);
      const deltaFile = `${base.feedId}${SUFFIX.delta}`;
      if (!files.includes(deltaFile)) {
        keep(base);
        continue;
      }
      try {
        // a stale delta (its base was written again) is left for the next save to remove
        keep(applyDelta(base, await readFile(join(snapshotDir(this.stateDir), deltaFile), 'utf8')) ?? base);
      } catch (e) {
        // the base alone is an older last-good, still one the kernel enforced
        onError(deltaFile, e);
        keep(base);
      }
    }
    return [...latest.values()].sort((x, y) => (x.feedId < y.feedId ? -1 : x.feedId > y.feedId ? 1 : 0));
  }

  /** Forgets a feed (turned off or removed). */
  async remove(feedId: string): Promise<void> {
    this.bases.delete(feedId);
    for (const kind of ['delta', 'base', 'format1'] as const) await rm(this.file(feedId, kind), { force: true });
  }
}
