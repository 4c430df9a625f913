// The refresh's code run once on a small made-up list when the feature starts, before its first
// refresh: a refresh runs once an hour, so V8 meets its loops cold every time (no type feedback,
// no compiled code) and runs them in its interpreter until it has compiled them, in the middle of
// the load. Here they run first on 5,000 made-up entries, through the same pure steps a refresh
// takes (parse, guard, pack, the group's content, the plan and its nft documents, the snapshot),
// then once more on a 1% change of them (the changed lines walked as the body arrives, the
// patch, the element changes).
// The made-up list's addresses all lie below 64.0.0.0, which V8 keeps as small integers: code
// compiled on them alone is dropped at a real list's first address above it. So the patch's
// steps then run again on entries spread over the whole IPv4 space (warmWidePatch).
// Nothing of it reaches the kernel, the disk or the feature's state: every object is made here
// and dropped. 100k benchmark, 2026-12-06: a 5,000-entry load before the first one took a large
// first load from 0.19–0.20 s to 0.16–0.17 s, still 0.17 s after twelve full GCs between them
// (README, "Benchmark", twenty-seventh sitting). Pure but for its timing.
import { buildGuard } from './guard.js';
import { GroupContents } from './groupContent.js';
import { encodeDelta } from './lastGood.js';
import { ParseReuse } from './lastParse.js';
import { emptyContent, type SetContent } from './prefixSets.js';
import { fragmentsDocument } from './elementJson.js';
import { nativeDocument, planSync, syncDocument } from './nftSync.js';
import { refreshFeed } from './refresh.js';
import { encodeSnapshot } from './snapshotEncode.js';
import { diffV4Ranges, V4Diffs } from './snapshotDelta.js';
import type { ResolvedFeed } from '../config/feedCatalog.js';
import { sameWords, unionParts, type PackedRanges, type V4Parts } from './packed.js';
import { patchParts, patchUnion } from './packedPatch.js';
import { EMPTY_V6 } from './packedV6.js';
import type { Logger } from '../sys/log.js';
import { ipv4Text } from '../net/ipText.js';

/** Entries of the made-up list: enough that the loops of a step run past V8's first
 *  compilation (a 1,000-entry list gave a load half the gain), little enough to cost a few tens
 *  of ms once. */
export const WARM_ENTRIES = 5_000;

/** Rounds of warmWidePatch: ~4,000 element changes in all, after which each per-change step (the
 *  searches, the window merge) was compiled here (traced, 2026-12-06; fewer rounds not tried). */
const WIDE_ROUNDS = 4;

/** What the warm-up did (the log line says it). `wideChanged`: element changes of the patches
 *  over the whole address space (warmWidePatch). */
export interface WarmUpReport { entries: number; changed: number; patched: boolean; walkedEarlyBytes: number; wideChanged: number; ms: number }

/** The made-up feed: one IPv4 URL in the plain format, as most lists are. */
const FEED = {
  id: 'warm-up', name: { ja: 'warm-up', en: 'warm-up' }, urls: { v4: 'http://warm-up.invalid/list.txt' }, format: 'plain',
  allowHostBits: false, minEntries: 1, maxShrinkRatio: 0.5, maxRejectRatio: 0.1, maxBytes: 1 << 20, enabled: true, source: 'shipped',
} as unknown as ResolvedFeed;

const LAYOUT = [{ id: 'warm', direction: 'both' as const }];

/** A small xorshift generator: the same list at every start. */
function numbers(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** `n` lines in address order, as lists are published: 97% single addresses (1.0.0.0–9.255.255.255),
 *  3% /24 networks (11.0.0.0–99.255.255.255); a comment line first. */
export function madeUpList(n: number, seed: number): [singles: number[], nets: number[]] {
  const next = numbers(seed);
  const singles = new Set<number>();
  const nets = new Set<number>();
  const nNets = Math.round(n * 0.03);
  while (nets.size < nNets) nets.add((0x0b000000 + (next() % (0x63000000 - 0x0b000000))) & 0xffffff00);
  while (singles.size < n - nNets) singles.add(0x01000000 + (next() % 0x09000000));
  return [[...singles].sort((a, b) => a - b), [...nets].sort((a, b) => a - b)];
}

function listText(singles: readonly number[], nets: readonly number[]): Buffer {
  const lines = [...singles.map((v) => [v, ipv4Text(v)] as const), ...nets.map((v) => [v, `${ipv4Text(v)}/24`] as const)];
  lines.sort((a, b) => a[0] - b[0]);
  return Buffer.from(`# made-up list (warm-up)\n${lines.map((l) => l[1]).join('\n')}\n`);
}

/** Runs the refresh's pure steps on a made-up list and a 1% change of it. Throws only on a bug
 *  of ours (a warm-up that failed costs nothing but its own time: the caller logs it). */
export async function warmUp(entries = WARM_ENTRIES): Promise<WarmUpReport> {
  const t0 = performance.now();
  const [singles, nets] = madeUpList(entries, 0x5eed);
  // the 1%: every 200th single replaced by its neighbour + 1 (scattered, as in a sorted list),
  // the first 0.5% dropped and as many added past the last
  const changedSingles = singles.filter((_, i) => i >= singles.length / 200).map((v, i) => (i % 200 === 0 ? v + 1 : v));
  for (let k = 1; changedSingles.length < singles.length; k++) changedSingles.push(0x09f00000 + k);
  const bodies = [listText(singles, nets), listText(changedSingles, nets)];
  const guard = buildGuard({});
  const reuse = new ParseReuse();
  const diffs = new V4Diffs();
  const contents = new GroupContents((a, b) => diffs.diff(a, b));
  let applied = new Map<string, SetContent>([['warm', emptyContent()]]);
  let usable: number | null = null;
  let last: { ranges: PackedRanges; usable: number } | null = null;
  let changed = 0;
  let patched = false;
  let walkedEarlyBytes = 0;
  for (const body of bodies) {
    const out = await refreshFeed({
      feed: FEED, limits: { fetchTimeoutSeconds: 10, maxBytes: 1 << 20 }, guard, validators: {}, lastGoodUsable: usable, reuse,
      fetch: async (req) => {
        // the body as a download gives it, in pieces between turns of the event loop: the
        // changed lines walked as it arrives (arrivingWalk.ts)
        for (let n = 0; req.received && n < body.length;) {
          n = Math.min(body.length, n + 16 * 1024);
          req.received(body, n);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        return { status: 'ok', body, finalUrl: FEED.urls.v4 ?? '', peers: [] };
      },
    });
    if (out.kind !== 'ok') throw new Error(`warm-up list not loaded: ${out.kind}`);
    out.digest();
    if (out.v4Delta) diffs.remember(out.v4Delta.base, out.ranges, out.v4Delta.delta);
    patched = out.v4Delta !== undefined;
    walkedEarlyBytes = out.timings.walkedEarlyBytes ?? 0;
    const content = contents.content('warm', [out.ranges]);
    const { plans, total } = planSync('warm', applied, new Map([['warm', content]]), LAYOUT, (id) => contents.change(id),
      { gens: new Map(), minElements: 1_000, parts: 2 });
    // the documents a sync writes: a staged load's declaration and fill parts, else the
    // element changes in nft's syntax, and the transaction's JSON
    fragmentsDocument(plans.flatMap((p) => p.declare));
    for (const p of plans) for (const part of p.fill) fragmentsDocument(part());
    nativeDocument(plans);
    syncDocument(plans);
    const snapshot = { feedId: FEED.id, savedAt: 0, usable: out.usable, ranges: out.ranges };
    if (last) encodeDelta({ feedId: FEED.id, savedAt: 0, ...last }, snapshot, (a, b) => diffs.diff(a, b));
    else encodeSnapshot(snapshot);
    changed = total.added + total.deleted;
    last = { ranges: out.ranges, usable: out.usable };
    applied = new Map([['warm', content]]);
    usable = out.usable;
    await new Promise<void>((resolve) => setImmediate(resolve)); // the event loop turns between the two
  }
  let wideChanged = 0;
  for (let r = 0; r < WIDE_ROUNDS; r++) wideChanged += warmWidePatch(0x7a7c4 + r);
  return { entries, changed, patched, walkedEarlyBytes, wideChanged, ms: performance.now() - t0 };
}

/** `n` made-up addresses (each ANDed with `mask`), ascending, duplicates possible. */
function addresses(next: () => number, n: number, mask = 0xffffffff): Uint32Array {
  const xs = new Uint32Array(n);
  for (let i = 0; i < n; i++) xs[i] = next() & mask;
  return xs.sort();
}

/** The patch's steps (packedPatch.ts, then the group content's, groupContent.ts) on 8,000
 *  addresses and 256 /24 networks anywhere in the IPv4 space, ~12% of them changed: a real
 *  update's values (both sides of 2^30 and 2^31), and enough changes that V8 compiles the
 *  per-change steps here (100k benchmark, 2026-12-06: the update's patch 2.3 → 1.3–1.5 ms).
 *  Returns the element changes; throws when a result differs from the whole computation's (a
 *  bug of ours). */
export function warmWidePatch(seed: number): number {
  const next = numbers(seed);
  const nets = addresses(next, 256, 0xffffff00);
  const base: V4Parts = { singles: addresses(next, 8_000), otherFirst: nets, otherLast: nets.map((v) => v + 255) };
  const every16th = (xs: Uint32Array): Uint32Array => xs.filter((_, i) => i % 16 === 0);
  const minus: V4Parts = { singles: every16th(base.singles), otherFirst: every16th(base.otherFirst), otherLast: every16th(base.otherLast) };
  const added = addresses(next, 16, 0xffffff00);
  const plus: V4Parts = { singles: addresses(next, 500), otherFirst: added, otherLast: added.map((v) => v + 255) };
  const now = patchParts(base, minus, plus);
  if (!now) throw new Error('warm-up: the wide patch was refused');
  const before = unionParts(base);
  const { ranges, delta } = patchUnion(before, now, minus, plus);
  const whole = unionParts(now);
  if (!sameWords(whole.v4First, ranges.v4First) || !sameWords(whole.v4Last, ranges.v4Last)) throw new Error('warm-up: the wide patch differs from the whole merge');
  const contents = new GroupContents((a, b) => (a.v4First === before.v4First && b.v4First === ranges.v4First ? delta : diffV4Ranges(a, b)));
  contents.content('wide', [{ ...before, ...EMPTY_V6 }]);
  contents.content('wide', [{ ...ranges, ...EMPTY_V6 }]);
  const change = contents.change('wide');
  if (!change) throw new Error('warm-up: the wide content was not patched');
  return change.singles.del.length + change.singles.add.length + change.masked.reduce((n, m) => n + m.del.length + m.add.length, 0);
}

/** warmUp, its outcome logged: what it did, or why it failed (a bug of ours, which costs the
 *  refreshes nothing). Never throws. */
export async function warmUpLogged(log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  try {
    const r = await warmUp();
    log.info(`blocklist: refresh code warmed up on ${r.entries} made-up entries and a ${r.changed}-element change, then ${r.wideChanged} changes over the whole address space, in ${Math.round(r.ms)} ms`);
  } catch (e) {
    log.warn('blocklist: warm-up of the refresh code failed (refreshes are not affected)', e);
  }
}
