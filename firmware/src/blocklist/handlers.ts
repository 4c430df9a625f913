// Control-socket commands of the blocklist feature (utmctl blocklist|allow|block …).
// Thin: validate the args with zod, call the feature, answer plain data.
import { z } from 'zod';
import type { Handlers } from '../feature/contract.js';
import { CommandError, parseArgs } from '../control/protocol.js';
import { prefixCount } from './prefixSets.js';
import { IpParseError } from '../net/ip.js';
import type { BlocklistFeature } from './feature.js';
import { initialised } from './initialised.js';
import { emptyGuardResult, guardEntry, type GuardReason } from './guard.js';
import { manualAddCmds, manualDelCmds, normaliseEntry, overlappingBlock } from './manual.js';
import { reasonText } from './protect.js';
import { FeedSchema, type TechnicianOverrides } from '../config/feedCatalog.js';
import { readTechnician, writeTechnician } from './feedSources.js';

const Entry = z.string().min(1).max(100).describe('address, prefix or range');
const FeedIdArgs = z.strictObject({ feed: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/) });
const AddFeedArgs = z.strictObject({ feed: FeedSchema });
const RefreshArgs = z.strictObject({ feed: z.string().max(48).optional() });
const AllowAddArgs = z.strictObject({ entry: Entry, note: z.string().max(200).default('') });
const EntryArgs = z.strictObject({ entry: Entry });
const BlockAddArgs = z.strictObject({
  entry: Entry,
  seconds: z.int().min(1).max(365 * 86400).describe('how long the block lasts'),
  reason: z.string().max(200).default(''),
});


function entryOf(text: string): ReturnType<typeof normaliseEntry> {
  try {
    return normaliseEntry(text);
  } catch (e) {
    if (e instanceof IpParseError) throw new CommandError(`not an address, prefix or range (${e.reason})`);
    throw e;
  }
}

/** Changes the technician file (state dir: survives upgrades) and reloads the catalog. */
async function technicianChange(f: BlocklistFeature, change: (t: TechnicianOverrides) => void): Promise<{ applied: boolean }> {
  const dir = f.need().stateDir;
  const t = (await readTechnician(dir)) ?? { version: 1 as const, feeds: [], settings: {} };
  change(t);
  await writeTechnician(dir, t);
  return { applied: await f.reload() };
}

/** Handlers `blocklist.*` (status, refresh, enable, disable, add, remove), `allow.*`, `block.*`. */
export function blocklistHandlers(f: BlocklistFeature): Handlers {
  const setEnabled = (enabled: boolean) => async (args: Record<string, unknown>) => {
    const { feed } = parseArgs(FeedIdArgs, args);
    if (!f.feeds.some((x) => x.id === feed)) throw new CommandError(`no feed ${feed} in the catalog`);
    return { feed, enabled, ...(await technicianChange(f, (t) => { t.settings[feed] = { ...t.settings[feed], enabled }; })) };
  };
  return {
    'blocklist.enable': setEnabled(true),
    'blocklist.disable': setEnabled(false),
    'blocklist.add': async (args) => {
      const { feed } = parseArgs(AddFeedArgs, args);
      if (feed.format === 'csv' && !feed.csv) throw new CommandError('csv format needs csv.column');
      return { feed: feed.id, ...(await technicianChange(f, (t) => { t.feeds = [...t.feeds.filter((x) => x.id !== feed.id), feed]; })) };
    },
    'blocklist.remove': async (args) => {
      const { feed } = parseArgs(FeedIdArgs, args);
      const t = await readTechnician(f.need().stateDir);
      if (!t?.feeds.some((x) => x.id === feed)) throw new CommandError(`${feed} is not a technician feed (turn catalog feeds off with disable)`);
      return { feed, ...(await technicianChange(f, (x) => { x.feeds = x.feeds.filter((y) => y.id !== feed); delete x.settings[feed]; })) };
    },
    'blocklist.status': () => {
      const ctx = f.need();
      const now = ctx.now();
      return {
        groups: f.layout.map((g) => {
          const c = f.applied.get(g.id);
          const nets = c ? prefixCount(c) : { v4: 0, v6: 0 };
          // nets: every prefix (masked hash sets and the interval set); lengths: the masked ones
          return { id: g.id, direction: g.direction, action: g.action, feeds: g.feedIds,
            v4Singles: c?.v4Singles.length ?? 0, v4Nets: nets.v4, v6Singles: (c?.v6Singles.length ?? 0) >>> 2, v6Nets: nets.v6,
            maskedLengths: { v4: c?.v4Masked.map((m) => m.len) ?? [], v6: c?.v6Masked.map((m) => m.len) ?? [] } };
        }),
        feeds: f.feeds.map((feed) => {
          const st = initialised(f.statusRepo).get(feed.id);
          return {
            id: feed.id, name: feed.name.en, enabled: feed.enabled, source: feed.source, category: feed.category,
            direction: feed.direction, action: feed.action, refresh: feed.refresh,
            loaded: f.ranges.has(feed.id), usable: f.usable.get(feed.id) ?? 0, entries: st.entries,
            lastSuccessAt: st.lastSuccessAt, ageSeconds: st.lastSuccessAt === null ? null : Math.round((now - st.lastSuccessAt) / 1000),
            lastAttemptAt: st.lastAttemptAt, dataLines: st.dataLines, rejected: st.rejected,
            lastError: st.lastError, lastErrorAt: st.lastErrorAt, consecutiveFailures: st.consecutiveFailures,
          };
        }),
        warnings: f.warnings,
      };
    },
    'blocklist.refresh': async (args) => {
      const { feed } = parseArgs(RefreshArgs, args);
      if (feed !== undefined && !f.feeds.some((x) => x.id === feed && x.enabled)) throw new CommandError(`no enabled feed ${feed}`);
      return f.refresh(feed === undefined ? undefined : [feed]);
    },
    'allow.list': () => initialised(f.allowRepo).all(),
    'allow.add': async (args) => {
      const a = parseArgs(AllowAddArgs, args);
      const e = entryOf(a.entry);
      initialised(f.allowRepo).put({ entry: e.text, addedAt: f.need().now(), note: a.note });
      return { entry: e.text, applied: await f.need().requestApply() };
    },
    'allow.del': async (args) => {
      const e = entryOf(parseArgs(EntryArgs, args).entry);
      if (!initialised(f.allowRepo).delete(e.text)) throw new CommandError(`${e.text} is not on the added allowlist`);
      return { entry: e.text, applied: await f.need().requestApply() };
    },
    'block.list': () => {
      const now = f.need().now();
      return initialised(f.manualRepo).live(now).map((b) => ({ ...b, remainingSeconds: Math.ceil((b.expiresAt - now) / 1000) }));
    },
    'block.add': async (args) => {
      const ctx = f.need();
      const a = parseArgs(BlockAddArgs, args);
      const e = entryOf(a.entry);
      // the same guard as every feed: a manual block never cuts off the office or the box
      const g = emptyGuardResult();
      guardEntry(e.range, f.guard(), g, () => undefined);
      if (g.rejectedTotal || g.carvedTotal) {
        const reasons = Object.keys({ ...g.rejected, ...g.carved }) as GuardReason[];
        for (const r of reasons) f.manualRefused[r] = (f.manualRefused[r] ?? 0) + 1;
        const why = reasons.map((r) => `${reasonText(r)} [${r}]`).join('; ');
        const part = g.carvedTotal ? 'part of it is protected' : 'it is protected';
        ctx.log.warn(`manual block of ${e.text} refused: ${reasons.join(', ')}`);
        throw new CommandError(`refused: ${e.text} was not blocked, ${part}: ${why}. Nothing was changed.`);
      }
      const now = ctx.now();
      const live = initialised(f.manualRepo).live(now);
      const clash = overlappingBlock(live, e.range, now);
      if (clash) throw new CommandError(`${e.text} overlaps the manual block ${clash.entry}; remove that one first (block del)`);
      const existed = live.some((b) => b.entry === e.text);
      initialised(f.manualRepo).put({ entry: e.text, addedAt: now, expiresAt: now + a.seconds * 1000, reason: a.reason });
      let applied = true;
      try {
        await ctx.ruleset.transact(`{"nftables":[${manualAddCmds(ctx.ruleset.table, e.range, a.seconds, existed).join(',')}]}`);
        await ctx.cutConnections?.();
      } catch (err) {
        ctx.log.warn('manual block: element update failed; applying the full ruleset', err);
        applied = await ctx.requestApply();
      }
      return { entry: e.text, expiresAt: now + a.seconds * 1000, applied };
    },
    'block.del': async (args) => {
      const ctx = f.need();
      const e = entryOf(parseArgs(EntryArgs, args).entry);
      if (!initialised(f.manualRepo).delete(e.text)) throw new CommandError(`${e.text} is not blocked by hand`);
      let applied = true;
      try {
        await ctx.ruleset.transact(`{"nftables":[${manualDelCmds(ctx.ruleset.table, e.range).join(',')}]}`);
      } catch (err) {
        ctx.log.warn('manual unblock: element update failed; applying the full ruleset', err);
        applied = await ctx.requestApply();
      }
      return { entry: e.text, applied };
    },
  };
}
