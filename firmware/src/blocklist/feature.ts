// The blocklist feature of utmd: feeds from the catalog, their last-good entries, scheduled
// refreshes with jitter and backoff, incremental nft set updates, manual blocks and the
// technician's allowlist additions. The daemon owns the lifecycle (daemon.ts):
// init() loads last-good snapshots so the first full apply already enforces them; start()
// schedules refreshes; stop() leaves no timer running. A refresh's apply and rollback (the
// set sync, and what is recorded only once the kernel took it) are in refreshApply.ts.
import type { Feature, FeatureContext, FeatureGroup } from '../feature/contract.js';
import type { Db } from '../store/db.js';
import { blocklistFinding, parseLogPrefix } from '../alerts/fromPacket.js';
import type { PacketLogEvent } from '../sensors/events.js';
import type { ResolvedFeed } from '../config/feedCatalog.js';
import { loadFeeds } from './feedSources.js';
import { hitIndexOf, type HitIndex } from './hitIndex.js';
import { describeHit } from './describe.js';
import { emptyContent, layoutGroups, toBlocklistGroup, type GroupLayout } from './layout.js';
import { LastGoodStore } from './lastGood.js';
import { manualGroup } from './manual.js';
import type { PackedRanges, SetContent } from './packed.js';
import { GroupContents } from './groupContent.js';
import { V4Diffs } from './snapshotDelta.js';
import { GuardCache } from './protect.js';
import { allPeerAddresses, type BoxPeers } from './peers.js';
import type { PeerSources } from './peersReader.js';
import { SelfProtect } from './selfProtect.js';
import { besideDownload, refreshFeed, type FetchFn } from './refresh.js';
import { ParseReuse } from './lastParse.js';
import { feedFault, statusFault, statusLoaded, statusUnchanged } from './feedStatus.js';
import { blocklistRepos, HeldFeedStatus, type AllowRepo, type BlocklistRepos, type FeedStatusStore, type ManualBlocksRepo } from './repos.js';
import { backoffMs, feedJitterMs, shouldAttempt } from './schedule.js';
import { blocklistHandlers } from './handlers.js';
import { initialised } from './initialised.js';
import { Poller } from '../time/poller.js';
import { blocklistMigrations } from './migrations.js';
import type { SyncStats } from './nftSync.js';
import { fillAhead, STAGE_MIN_ELEMENTS, type Generations } from './stagedLoad.js';
import { warmUpLogged } from './warmUp.js';
import { applyLoaded, syncSets, type LoadedFeed, type RefreshReport, type SyncTimings } from './refreshApply.js';
import { scheduleCron, type CronJob } from '../time/cronSchedule.js';

export interface BlocklistFeatureOptions {
  /** rules/feeds.json */
  catalogPath: string;
  /** Replaces the HTTP download (tests). */
  fetch?: FetchFn | undefined;
  /** Where the box's resolvers and NTP servers are named (tests; default: the system's files). */
  peerSources?: PeerSources | undefined;
  /** Least elements of a family whose load is staged (tests; default STAGE_MIN_ELEMENTS). */
  stageMinElements?: number | undefined;
  /** Run the refresh's code once on a made-up list at start (warmUp.ts; default true). */
  warmUp?: boolean | undefined;
}

/** How often the box's resolvers and NTP servers are re-read (a DHCP renewal may change them). */
const PEERS_EVERY_MS = 5 * 60_000;

export class BlocklistFeature implements Feature<BlocklistRepos> {
  readonly id = 'blocklist';
  readonly migrations = blocklistMigrations;
  ctx: FeatureContext<BlocklistRepos> | null = null;
  feeds: ResolvedFeed[] = [];
  layout: GroupLayout[] = [];
  /** Last-good merged ranges per enabled feed: the truth of what is enforced. */
  readonly ranges = new Map<string, PackedRanges>();
  readonly usable = new Map<string, number>();
  /** What the kernel's sets hold per group (after the last apply or sync). */
  readonly applied = new Map<string, SetContent>();
  /** Which of their two names each group's sets carry in the kernel (stagedLoad.ts). */
  readonly gens: Generations = new Map();
  hits: HitIndex = { feeds: [] };
  statusRepo: FeedStatusStore | null = null;
  manualRepo: ManualBlocksRepo | null = null;
  allowRepo: AllowRepo | null = null;
  private store: LastGoodStore | null = null;
  selfProtect: SelfProtect | null = null;
  /** Manual blocks refused by the guard, by reason. */
  readonly manualRefused: Record<string, number> = {};
  private tasks: CronJob[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private warmed = false;
  warnings: string[] = [];

  constructor(readonly o: BlocklistFeatureOptions) {}

  repositories(db: Db): BlocklistRepos {
    return blocklistRepos(db);
  }

  /** Loads the catalog and the last-good snapshots; no network. */
  async init(ctx: FeatureContext<BlocklistRepos>): Promise<void> {
    this.ctx = ctx;
    // a full disk must not stop a refresh halfway: rows it cannot take wait in memory
    this.statusRepo = new HeldFeedStatus(ctx.repos.status, (e) => ctx.storageFailed?.(e, 'feed status') ?? false);
    this.manualRepo = ctx.repos.manual;
    this.allowRepo = ctx.repos.allow;
    this.store = new LastGoodStore(ctx.stateDir, (a, b) => this.diffs.diff(a, b));
    this.selfProtect = new SelfProtect({
      stateDir: ctx.stateDir, extraNtp: ctx.config.protect.ntpServers, sources: this.o.peerSources,
      onProblem: (what, e) => ctx.log.warn(`self-protection: ${what} not read`, e),
    });
    await this.selfProtect.load();
    await this.loadCatalog();
    const enabled = new Set(this.feeds.filter((f) => f.enabled).map((f) => f.id));
    for (const s of await this.store.loadAll((file, e) => ctx.log.error(`blocklist snapshot ${file} ignored`, e))) {
      if (!enabled.has(s.feedId)) continue;
      this.ranges.set(s.feedId, s.ranges);
      this.usable.set(s.feedId, s.usable);
    }
    for (const g of this.layout) this.applied.set(g.id, this.content(g));
    this.rebuildHits();
  }

  /** After the technician file changed: re-read the catalog, drop what was turned off,
   *  restore last-good of what was turned on, apply the whole ruleset once (the layout may
   *  have changed), and reschedule. Returns whether the apply succeeded. */
  reload(): Promise<boolean> {
    return this.serial(async () => {
      const ctx = this.need();
      for (const t of this.tasks) t.stop();
      this.tasks = [];
      await this.loadCatalog();
      const enabled = new Set(this.feeds.filter((f) => f.enabled).map((f) => f.id));
      for (const id of [...this.ranges.keys()]) {
        if (enabled.has(id)) continue;
        this.ranges.delete(id);
        this.usable.delete(id);
        await initialised(this.store).remove(id);
        await initialised(this.selfProtect).forgetFeed(id);
        ctx.conditions.set(`feed:${id}`, true, 'turned off');
      }
      for (const s of await initialised(this.store).loadAll((file, e) => ctx.log.error(`blocklist snapshot ${file} ignored`, e))) {
        if (!enabled.has(s.feedId) || this.ranges.has(s.feedId)) continue;
        this.ranges.set(s.feedId, s.ranges);
        this.usable.set(s.feedId, s.usable);
      }
      const before = new Map(this.applied);
      this.applied.clear();
      for (const g of this.layout) this.applied.set(g.id, this.content(g));
      this.rebuildHits();
      const ok = await ctx.requestApply();
      if (!ok) {
        this.applied.clear();
        for (const [k, v] of before) this.applied.set(k, v);
      }
      this.start();
      return ok;
    });
  }

  /** (Re)reads every catalog layer; the layout follows the enabled feeds. */
  async loadCatalog(): Promise<void> {
    const ctx = this.need();
    const merged = await loadFeeds({
      catalogPath: this.o.catalogPath, stateDir: ctx.stateDir, config: ctx.config, provisioning: ctx.provisioning, onError: (what, e) => ctx.log.error(what, e),
    });
    this.feeds = merged.feeds;
    this.warnings = merged.warnings.map((w) => `${w.feedId}: ${w.problem}`);
    this.layout = layoutGroups(this.feeds);
  }

  /** Group content from the last-good ranges of its feeds (kept between refreshes). */
  private content(g: GroupLayout): SetContent {
    return this.contents.content(g.id, g.feedIds.flatMap((id) => this.ranges.get(id) ?? []));
  }

  /** Per feed, its last download and entries: the next refresh reads only the changed lines. */
  private readonly lastParses = new Map<string, ParseReuse>();
  /** One diff of a feed's ranges for the group patch and the snapshot delta (snapshotDelta.ts). */
  private readonly diffs = new V4Diffs();
  private readonly contents = new GroupContents((a, b) => this.diffs.diff(a, b));

  private rebuildHits(): void {
    this.hits = hitIndexOf(this.feeds, this.ranges); // the ranges are packed already
  }

  /** The feed groups and the manual group; each says which list a hit on it came from. */
  groups(): FeatureGroup[] {
    const now = this.need().now();
    const out = this.layout.map((g) => toBlocklistGroup(g, this.applied.get(g.id) ?? emptyContent(), this.gens));
    out.push(manualGroup(this.manualRepo?.live(now) ?? [], now));
    const groups = out.map((rules) => ({ rules, describe: (remoteIp: string) => describeHit(this.feeds, this.layout, this.hits, rules.id, remoteIp) ?? { name: rules.id } }));
    this.rendered = new Map(groups.map((g) => [g.rules.id, g]));
    return groups;
  }

  /** The groups of the policy being enforced, by id (a logged hit names its group). */
  private rendered = new Map<string, FeatureGroup>();

  /** A logged packet: a hit on one of our drop or watch rules becomes a blocklist_hit finding,
   *  described by the group it hit (the config's local list has no group of ours: its name only). */
  onPacket(ev: PacketLogEvent): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const dir = parseLogPrefix(ev.prefix, ctx.base.logPrefix)?.dir;
    const remote = dir === 'in' ? ev.srcIp : ev.dstIp;
    const f = blocklistFinding(ev, ctx.base.logPrefix, (group) => this.rendered.get(group)?.describe(remote));
    if (f) ctx.raise(f);
  }

  /** The ruleset's allowlist additions: the technician's, and the box's protected peers. */
  allow(): string[] {
    return [...this.technicianAllow(), ...allPeerAddresses(this.peers())];
  }

  /** Entries added with `utmctl allow add`. */
  technicianAllow(): string[] {
    return this.allowRepo?.all().map((a) => a.entry) ?? [];
  }

  /** Resolvers, NTP servers and feed download servers (plus `fetchedNow`, a download in progress). */
  peers(fetchedNow: readonly string[] = []): BoxPeers {
    return this.selfProtect?.current(fetchedNow) ?? { resolver: [], ntp: [], feed_host: [...fetchedNow] };
  }

  /** The guard every list goes through (feeds, manual blocks), as of now. */
  guard(fetchedNow: readonly string[] = []) {
    const ctx = this.need();
    return this.guards.get({ config: ctx.config, provisioning: ctx.provisioning, plan: ctx.plan(), extraAllow: this.technicianAllow(), peers: this.peers(fetchedNow) });
  }

  private readonly guards = new GuardCache();

  /** Re-reads resolvers and NTP servers; a change re-applies the ruleset (its allowlist). */
  refreshPeers(): Promise<void> {
    return this.serial(() => this.rereadPeers());
  }

  private async rereadPeers(): Promise<void> {
    if (await initialised(this.selfProtect).refreshBox()) await this.peersChanged('resolvers or time servers changed');
  }

  private async peersChanged(why: string): Promise<void> {
    const ctx = this.need();
    ctx.log.info(`self-protection: ${why}; protecting ${allPeerAddresses(this.peers()).join(', ') || 'nothing more'}`);
    if (ctx.plan() && !(await ctx.requestApply())) ctx.log.warn('self-protection: the allowlist could not be re-applied; the guard still keeps them out of every list');
  }

  start(): void {
    const ctx = this.need();
    this.stopped = false;
    for (const f of this.feeds.filter((x) => x.enabled)) {
      const task = scheduleCron(f.refresh, () => this.onTick(f.id), { noOverlap: true });
      this.tasks.push(task);
      // a feed with nothing loaded yet is fetched soon after start: within a minute, still
      // spread per box (a fleet powered on together does not hit the feed in one second)
      if (!this.ranges.has(f.id)) this.later(this.jitter(f.id) % 60_000, () => this.onTick(f.id));
    }
    // the refresh's code run once on a made-up list (warmUp.ts), first in the refreshes' queue:
    // ahead of every refresh, never beside one
    if (this.o.warmUp !== false && !this.warmed && this.feeds.some((x) => x.enabled)) void this.warmUp();
    this.peersPoll.start(true);
    ctx.log.info(`blocklist: ${this.feeds.filter((x) => x.enabled).length} feeds enabled, ${this.layout.length} groups`);
  }

  /** Re-reads the box's resolvers and NTP servers (a DHCP renewal may change them). */
  private readonly peersPoll = new Poller({
    everyMs: PEERS_EVERY_MS, run: () => this.refreshPeers(),
    onError: (e) => this.ctx?.log.error('self-protection: re-reading resolvers failed', e),
  });

  async stop(): Promise<void> {
    this.stopped = true;
    this.peersPoll.stop();
    for (const t of this.tasks) t.stop();
    this.tasks = [];
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.chain.catch(() => undefined);
  }

  private jitter(feedId: string): number {
    const ctx = this.need();
    const max = ctx.config.feeds.jitterSeconds * 1000;
    return max >= 1 ? feedJitterMs(ctx.deviceId, feedId, max) : 0;
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private onTick(feedId: string): void {
    const ctx = this.need();
    const st = initialised(this.statusRepo).get(feedId);
    if (!shouldAttempt(ctx.now(), { consecutiveFailures: st.consecutiveFailures, lastAttemptAt: st.lastAttemptAt })) return;
    this.later(this.jitter(feedId), () => void this.refresh([feedId]).catch((e: unknown) => ctx.log.error(`feed ${feedId} refresh failed`, e)));
  }

  /** Runs the refresh's code once on a made-up list (warmUp.ts), in the refreshes' queue. */
  warmUp(): Promise<void> {
    this.warmed = true;
    return this.serial(() => warmUpLogged(this.need().log));
  }

  /** Feed `feedId`'s kept last download (made on first use). */
  private reuseOf(feedId: string): ParseReuse {
    let r = this.lastParses.get(feedId);
    if (!r) this.lastParses.set(feedId, (r = new ParseReuse()));
    return r;
  }

  /** Runs one refresh at a time (they share the kernel sets). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Refreshes the given feeds (default: every enabled one) now and syncs the sets once. */
  refresh(feedIds?: string[]): Promise<RefreshReport[]> {
    return this.serial(async () => {
      const ctx = this.need();
      const wanted = this.feeds.filter((f) => f.enabled && (!feedIds || feedIds.includes(f.id)));
      // a feed disabled or gone from the config keeps no download in memory
      for (const id of this.lastParses.keys()) if (!this.feeds.some((f) => f.enabled && f.id === id)) this.lastParses.delete(id);
      // a large first load stages: its nft processes start as its download arrives
      const large = this.o.stageMinElements ?? STAGE_MIN_ELEMENTS;
      // the box's resolvers and time servers are re-read while the first download arrives (a
      // time server's name may take seconds to resolve); the guard that judges it waits for them
      const peersRead = besideDownload(() => this.rereadPeers());
      let peersMoved = false;
      const reports: RefreshReport[] = [];
      const changed: LoadedFeed[] = [];
      const previous = new Map(this.ranges);
      for (const feed of wanted) {
        const st = initialised(this.statusRepo).get(feed.id);
        const now = ctx.now();
        st.lastAttemptAt = now;
        const out = await refreshFeed({
          feed, limits: ctx.config.feeds, guard: (fetchedFrom) => this.guard(fetchedFrom), validators: st.validators,
          lastGoodUsable: this.ranges.has(feed.id) ? (this.usable.get(feed.id) ?? null) : null, fetch: this.o.fetch,
          reuse: this.reuseOf(feed.id), beside: peersRead, sized: (bytes) => { if (fillAhead(bytes, this.usable.get(feed.id) ?? 0, large)) ctx.ruleset.prepareFill?.(); },
        });
        if (await initialised(this.selfProtect).noteFeed(feed.id, out.peers)) peersMoved = true;
        if (out.kind === 'unchanged') {
          statusUnchanged(st, now);
          ctx.conditions.set(`feed:${feed.id}`, true, 'unchanged');
          reports.push({ feedId: feed.id, result: 'unchanged' });
        } else if (out.kind === 'fault') {
          statusFault(st, out, now);
          this.fault(feed, out.reason, out.detail);
          this.later(backoffMs(st.consecutiveFailures) + this.jitter(feed.id), () => this.onTick(feed.id));
          reports.push({ feedId: feed.id, result: 'fault', reason: out.reason });
        } else {
          // The new counts are recorded only once the kernel has taken the entries (below):
          // a refused apply must not leave the feed looking healthy with the refused numbers.
          this.ranges.set(feed.id, out.ranges);
          if (out.v4Delta) this.diffs.remember(out.v4Delta.base, out.ranges, out.v4Delta.delta);
          changed.push({ feed, ranges: out.ranges, usable: out.usable, status: statusLoaded(st, out, now), digest: out.digest, readWhole: out.readWhole, patched: out.v4Delta !== undefined });
          reports.push({ feedId: feed.id, result: 'loaded', entries: out.usable, timings: { ...out.timings } });
        }
        if (out.kind !== 'ok') initialised(this.statusRepo).put(st); // a loaded one's: once the kernel took it (or refused it)
      }
      await peersRead(); // also when no download got that far
      if (peersMoved) await this.peersChanged('a feed server has a new address');
      if (!changed.length) return reports;
      await applyLoaded({
        ctx, ranges: this.ranges, usable: this.usable, statusRepo: initialised(this.statusRepo), store: initialised(this.store),
        syncSets: (timings, whileApplying) => this.syncSets(timings, whileApplying), fault: (f, reason, detail) => this.fault(f, reason, detail), rebuildHits: () => this.rebuildHits(),
      }, changed, previous, reports);
      return reports;
    });
  }

  /** Brings every group's sets to the content of the current ranges: one transaction. */
  private syncSets(timings?: SyncTimings, whileApplying?: () => void): Promise<SyncStats> {
    return syncSets({ ctx: this.need(), layout: this.layout, applied: this.applied, content: (g) => this.content(g), change: (id) => this.contents.change(id), timings, whileApplying, gens: this.gens, stageMin: this.o.stageMinElements });
  }

  private fault(feed: ResolvedFeed, reason: string, detail: Record<string, unknown>): void {
    feedFault(this.need(), feed, reason, detail, this.usable.get(feed.id) ?? 0);
  }

  handlers() {
    return blocklistHandlers(this);
  }

  status(): Record<string, unknown> {
    return {
      feeds: this.feeds.filter((f) => f.enabled).length,
      groups: this.layout.map((g) => ({ id: g.id, feeds: g.feedIds.length, singles: (this.applied.get(g.id)?.v4Singles.length ?? 0) + ((this.applied.get(g.id)?.v6Singles.length ?? 0) >>> 2) })),
      manual: this.manualRepo?.live(this.need().now()).length ?? 0,
      manualRefused: this.manualRefused,
      protected: { ...this.peers(), unresolvedNtp: this.selfProtect?.unresolved ?? [] },
      warnings: this.warnings,
    };
  }

  need(): FeatureContext<BlocklistRepos> {
    if (!this.ctx) throw new Error('blocklist feature used before init');
    return this.ctx;
  }
}
