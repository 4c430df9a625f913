// The refresh's apply and rollback (BlocklistFeature.refresh): the feeds a refresh loaded go to
// the kernel in one incremental set sync (or, when that fails, one full apply); only once the
// kernel has taken them are their counts recorded and their snapshots saved. A refusal puts
// the previous last-good back in memory and marks each loaded feed faulty, so a feed never
// looks healthy with numbers the kernel refused.
import type { FeatureContext } from '../feature/contract.js';
import type { ResolvedFeed } from '../config/feedCatalog.js';
import type { GroupLayout } from './layout.js';
import type { LastGoodStore, PreparedSnapshot } from './lastGood.js';
import { nativeDocument, planSync, syncDocument, verifyCounts, type SyncPlan, type SyncStats } from './nftSync.js';
import { fragmentsDocument } from './elementJson.js';
import { joinParts, STAGE_MIN_ELEMENTS, type FillPart, type Generations } from './stagedLoad.js';
import type { RulesetSets } from '../nft/backend.js';
import type { V4Change } from './groupContent.js';
import type { PackedRanges, SetContent } from './packed.js';
import { statusApplyFailed } from './feedStatus.js';
import { errorMessage } from '../errors/errorText.js';
import type { BlocklistRepos, FeedStatusStore, FeedStatusRow } from './repos.js';

/** What one refresh report says (utmctl feeds refresh, the refresh tests). */
export interface RefreshReport {
  feedId: string;
  result: 'loaded' | 'unchanged' | 'fault' | 'skipped';
  reason?: string | undefined;
  entries?: number | undefined;
  sync?: SyncStats | undefined;
  /** ms spent per phase: fetch, evaluate (parse + guard), pack (merge), apply (the set sync:
   *  of it plan = content and plan, nft = the transaction and its count check), save (the
   *  snapshot). */
  timings?: Record<string, number> | undefined;
}

/** A feed a refresh loaded, waiting for the kernel to take it. */
export interface LoadedFeed {
  feed: ResolvedFeed;
  ranges: PackedRanges;
  usable: number;
  /** Its status as it will be recorded once the kernel has taken the entries. */
  status: FeedStatusRow;
  /** Fills in the status's validators' digests (refresh.ts RefreshOutcome). */
  digest?: (() => void) | undefined;
  /** Its ranges were patched from the lines that changed (a small change: its snapshot is
   *  started before the sets are planned, see applyLoaded). */
  patched?: boolean | undefined;
  /** Why its download was read whole though it could be read in part (logged here). */
  readWhole?: string | undefined;
}

/** The sets' side of the feature: the layout, what the kernel holds, what it should hold. */
export interface SetsState {
  ctx: FeatureContext<BlocklistRepos>;
  layout: readonly GroupLayout[];
  /** What the kernel's sets hold per group (after the last apply or sync); updated here. */
  applied: Map<string, SetContent>;
  /** Group content from the last-good ranges of its feeds. */
  content(g: GroupLayout): SetContent;
  /** How group `id`'s content was patched from the one before it, if it was (groupContent.ts). */
  change?: ((id: string) => V4Change | null) | undefined;
  /** Filled with where the sync's time went (ms), when given. */
  timings?: SyncTimings | undefined;
  /** Started once nft has the transaction's whole document and runs (not before: its steps
   *  on the event loop delayed the document's write and nft's start by up to 40 ms at 100k):
   *  userspace work that may run meanwhile (nft is another process, this box has 2 cores); in
   *  a staged load, once the fill's processes ended (with the transaction that puts the new
   *  sets in use). It must not depend on the outcome. */
  whileApplying?: (() => void) | undefined;
  /** The generation of each group's sets (stagedLoad.ts); updated here. Absent: large loads
   *  are not staged (one transaction, as before). */
  gens?: Generations | undefined;
  /** Least elements of a staged family (default STAGE_MIN_ELEMENTS). */
  stageMin?: number | undefined;
}

/** Where one set sync's time went (ms): content and plan (userspace), the nft transaction
 *  (from the document handed over to nft's answer, count check included), and from the
 *  sync's start until every nft of it runs (the userspace in a load's critical path). */
export interface SyncTimings { planMs?: number; nftMs?: number; runningMs?: number }

/** Brings every group's sets to the content of the current ranges: one transaction. */
export async function syncSets(s: SetsState): Promise<SyncStats> {
  const { ctx } = s;
  const table = ctx.ruleset.table;
  const t0 = performance.now();
  const next = new Map(s.layout.map((g) => [g.id, s.content(g)]));
  const stage = s.gens ? { gens: s.gens, minElements: s.stageMin ?? STAGE_MIN_ELEMENTS, parts: ctx.ruleset.fillParts ?? 1 } : undefined;
  const { plans, total } = planSync(table, s.applied, next, s.layout, s.change, stage);
  if (s.timings) s.timings.planMs = performance.now() - t0;
  if (plans.every((p) => p.cmds.length === 0)) return total;
  try {
    // one turn of the apply queue: a full apply (which renders `applied`) never runs
    // between the write and the count check
    await ctx.ruleset.change(async () => {
      const t1 = performance.now();
      let running = false;
      const allRunning = (): void => {
        if (!running && s.timings) s.timings.runningMs = performance.now() - t0;
        running = true;
      };
      let startedOnce = false;
      const started = (): void => {
        allRunning();
        if (!startedOnce) s.whileApplying?.();
        startedOnce = true;
      };
      // whileApplying's work waits for the fill's end: the fill's nft processes take every
      // core (one each), and work beside them slowed them more than it saved (100k: nft's
      // part 181 → 168 ms, the load 253 → 244 ms, 15 runs each, 2026-12-05)
      await stageLoads(ctx.ruleset, plans, allRunning);
      // element changes only (the common update): in nft's own syntax through the long-lived
      // nft when the backend can (nft/driver.ts transactNative), else the JSON document
      const native = nativeDocument(plans);
      const sent = native !== null && ctx.ruleset.transactNative ? await ctx.ruleset.transactNative(native, started) : false;
      if (!sent) await ctx.ruleset.transact(syncDocument(plans), started);
      for (const p of plans) for (const [k, g] of p.gens) s.gens?.set(k, g); // the kernel's names now
      await verifyCounts(ctx.ruleset, plans.flatMap((p) => p.verify));
      if (s.timings) s.timings.nftMs = performance.now() - t1;
      for (const [k, v] of next) s.applied.set(k, v);
    });
    await ctx.cutConnections?.(); // established packets skip the lists: end what they now forbid
  } catch (e) {
    // the sets are not what we think (a concurrent full apply, a lost element): one full
    // apply renders every set from scratch in one transaction
    ctx.log.warn('incremental set update failed; applying the full ruleset', e);
    const before = new Map(s.applied);
    for (const [k, v] of next) s.applied.set(k, v);
    if (!(await ctx.requestApply())) {
      for (const [k, v] of before) s.applied.set(k, v);
      throw e;
    }
  }
  return total;
}

/** Steps 1 and 2 of the plans' staged loads (stagedLoad.ts): the new sets declared in one
 *  small transaction, then filled, the parts at the same time where the backend can. The first
 *  part's document is written while nft declares the sets (the long-lived nft, another
 *  process), each next one while the nft before works (nft/driver.ts fill). */
async function stageLoads(ruleset: RulesetSets, plans: readonly SyncPlan[], started: () => void): Promise<void> {
  const declare = plans.flatMap((p) => p.declare);
  if (!declare.length) return;
  const fill: FillPart[] = [];
  for (const p of plans) joinParts(fill, p.fill);
  const docs = fill.map((part) => (): Buffer | null => {
    const cmds = part();
    return cmds.length ? fragmentsDocument(cmds) : null;
  });
  const declared = ruleset.transact(fragmentsDocument(declare));
  declared.catch(() => undefined); // awaited below, also when the first part throws
  const first = docs[0]?.() ?? null;
  await declared;
  docs[0] = () => first;
  if (ruleset.fill) await ruleset.fill(docs, started);
  else for (const d of docs.map((make) => make())) if (d) await ruleset.transact(d, started);
}

/** What applying the loaded feeds touches of the feature. */
export interface ApplyLoadedState {
  ctx: FeatureContext<BlocklistRepos>;
  /** Last-good merged ranges per enabled feed (the loaded ones already in). */
  ranges: Map<string, PackedRanges>;
  usable: Map<string, number>;
  statusRepo: FeedStatusStore;
  store: LastGoodStore;
  syncSets(timings: SyncTimings, whileApplying: () => void): Promise<SyncStats>;
  fault(feed: ResolvedFeed, reason: string, detail: Record<string, unknown>): void;
  rebuildHits(): void;
}

/** Writes one loaded feed's snapshot (encoded while nft took the update), then its status row.
 *  The row's validators (ETag, hash) say "this download is in last-good": they are recorded
 *  only once the snapshot is, so a download whose snapshot could not be written (a full disk)
 *  is evaluated again at the next refresh, also after a restart that started from the older
 *  snapshot, and saved then. The kernel keeps the new list meanwhile; the feed's condition says
 *  it is not saved. */
async function saveLoaded(s: ApplyLoadedState, c: LoadedFeed, snapshot: Promise<PreparedSnapshot>): Promise<void> {
  const { ctx } = s;
  try {
    await (await snapshot).write();
  } catch (e) {
    const message = errorMessage(e);
    ctx.log.error(`blocklist: feed ${c.feed.id} is enforced but its last-good could not be saved`, e);
    ctx.conditions.set(`feed:${c.feed.id}`, false, `${c.usable} entries enforced, not saved (${message}); saved at the next refresh`);
    s.statusRepo.put({ ...c.status, validators: {}, lastError: `save: ${message.slice(0, 300)}`, lastErrorAt: ctx.now() });
    return;
  }
  s.statusRepo.put(c.status);
  ctx.conditions.set(`feed:${c.feed.id}`, true, `${c.usable} entries`);
}

/** Syncs the sets to the loaded feeds, then records their counts and saves their snapshots
 *  (filling the loaded reports' sync and timings); on a refusal restores `previous` ranges,
 *  marks each loaded feed faulty and rethrows the refusal. */
export async function applyLoaded(s: ApplyLoadedState, changed: readonly LoadedFeed[], previous: ReadonlyMap<string, PackedRanges>, reports: RefreshReport[]): Promise<void> {
  const { ctx } = s;
  for (const c of changed) if (c.readWhole) ctx.log.warn(`blocklist: feed ${c.feed.id} was read whole: ${c.readWhole}`);
  let sync: SyncStats | undefined;
  const tApply = performance.now();
  const syncTimings: SyncTimings = {};
  // the snapshots are encoded while nft takes the update (CPU on the other core), and put in
  // place only once it did (see README, Last-good). A patched feed's is a small delta: encoded
  // (~0.5 ms at 100k) and its temp file written and synced from before the plan, so that its
  // fsync is done by the time nft answers (it was 1–2 ms of the save after nft at 100k)
  const snapshots = new Map<LoadedFeed, Promise<PreparedSnapshot>>();
  const snapshotOf = (c: LoadedFeed): Promise<PreparedSnapshot> => {
    let snapshot = snapshots.get(c);
    if (!snapshot) {
      snapshot = s.store.prepare({ feedId: c.feed.id, savedAt: ctx.now(), usable: c.usable, ranges: c.ranges });
      snapshot.catch(() => undefined); // awaited in saveLoaded once the kernel took the update
      snapshots.set(c, snapshot);
    }
    return snapshot;
  };
  for (const c of changed) if (c.patched) void snapshotOf(c);
  let prepared: Array<{ c: LoadedFeed; snapshot: Promise<PreparedSnapshot> }> | undefined;
  const prepare = (): Array<{ c: LoadedFeed; snapshot: Promise<PreparedSnapshot> }> => {
    prepared ??= changed.map((c) => {
      c.digest?.(); // ~1 ms for 1.3 MB: on the idle main thread while nft works, not on the download's path
      return { c, snapshot: snapshotOf(c) };
    });
    return prepared;
  };
  try {
    sync = await s.syncSets(syncTimings, () => void prepare());
  } catch (e) {
    // the kernel kept what it had: go back to the previous last-good in memory too, and on disk
    // remove what was written ahead (before a next refresh writes its own there)
    await Promise.all([...snapshots.values()].map((snapshot) => snapshot.then((p) => p.discard(), () => undefined)));
    s.ranges.clear();
    for (const [k, v] of previous) s.ranges.set(k, v);
    for (const c of changed) {
      const st = s.statusRepo.get(c.feed.id);
      statusApplyFailed(st, String((e as Error).message), ctx.now());
      s.statusRepo.put(st);
      s.fault(c.feed, 'apply', { message: (e as Error).message });
    }
    throw e;
  }
  for (const c of changed) s.usable.set(c.feed.id, c.usable);
  const applyMs = performance.now() - tApply;
  const tSave = performance.now();
  for (const { c, snapshot } of prepare()) await saveLoaded(s, c, snapshot);
  s.rebuildHits();
  const saveMs = performance.now() - tSave;
  for (const r of reports) {
    if (r.result !== 'loaded') continue;
    r.sync = sync;
    r.timings = { ...r.timings, applyMs, ...syncTimings, saveMs };
  }
}
