// The large load of one group's sets of one family (a first load, a set that must be declared
// again with another size, a list replaced wholesale), planned so that the office is never
// unprotected and nft never waits for what the kernel frees:
//   1. declare: the group's sets under their other name (nft/policy.ts SetGeneration), empty
//      (`flush set` empties one an earlier, interrupted load left): one small transaction;
//   2. fill: `add element` into those sets, which nothing looks up yet, split into `parts`
//      documents that may run in nft processes of their own at the same time (2 on this
//      2-core machine: 100k addresses in 0.14 s instead of 0.20 s, by hand, 2026-12-04);
//   3. swap: in the sync's one transaction (all or nothing, with every other group's change),
//      the group's lookup chains are rewritten to the new sets and the old sets deleted.
// Until 3 the old sets do every lookup; after it the new ones. The load's big transactions
// delete nothing: a process whose transaction deleted anything waits at exit (close() of its
// netlink socket) for an RCU grace period, 13 ms here (README, "Set layout"); the deletion
// goes in the swap, which the long-lived nft runs (nft/session.ts), and it never exits.
// A load that fails before the swap leaves unused sets; the fallback full apply, which
// replaces every set of the table (nft/keepSets.ts), removes them. Pure.
import type { IpRange } from '../net/ip.js';
import { blocklistLookupChain, blocklistSetNames, type SetGeneration } from '../nft/policy.js';
import { groupLookupRules } from '../nft/render.js';
import { elementCmd, flushCmd, intervalSetCmd, q, setCmd, type Fragment } from './elementJson.js';

/** Generation of each group's sets per family, by genKey: what the kernel's names are. */
export type Generations = Map<string, SetGeneration>;

export const genKey = (group: string, family: 4 | 6): string => `${group}/v${family}`;

export function genOf(gens: ReadonlyMap<string, SetGeneration> | undefined, group: string, family: 4 | 6): SetGeneration {
  return gens?.get(genKey(group, family)) ?? 0;
}

/** A family's load smaller than this goes in one transaction, as before (nothing to gain). */
export const STAGE_MIN_ELEMENTS = 20_000;
/** The shortest line an address takes in a feed ("1.2.3.4\n"): a download of fewer than
 *  STAGE_MIN_ELEMENTS times this many bytes cannot stage. */
export const MIN_LINE_BYTES = 8;

/** Whether a download of `bytes` for a feed whose last-good holds `usable` entries is worth
 *  starting the fill's nft processes ahead for (nft/fillProcesses.ts): a large first load. A
 *  feed large already changes elements at its refresh; starting them forked the daemon twice
 *  for nothing (100k: the 1% update 27 → 39 ms, 2026-12-05), and its rare whole fill (a new
 *  set size, most of the list replaced) starts its nft processes as it fills. */
export function fillAhead(bytes: number, usable: number, minElements = STAGE_MIN_ELEMENTS): boolean {
  return bytes >= minElements * MIN_LINE_BYTES && usable < minElements;
}

/** How a family's key arrays are counted, cut and written. */
export interface StageIo<K> {
  family: 4 | 6;
  size: (xs: K) => number;
  /** Elements [from, to) of `xs`. */
  slice: (xs: K, from: number, to: number) => K;
  json: (xs: K) => string | Buffer;
}

/** One family's content to load. */
export interface StageContent<K> { singles: K; masked: ReadonlyArray<{ len: number; nets: K }>; nets: readonly IpRange[] }

/** One fill document's `add element` commands, written when its turn comes (the next part's
 *  while the nft before works: nft/driver.ts fill). */
export type FillPart = () => Fragment[];

/** `more`'s parts added to `into`'s, part by part. */
export function joinParts(into: FillPart[], more: readonly FillPart[]): void {
  more.forEach((part, i) => {
    const before = into[i];
    into[i] = before ? () => [...before(), ...part()] : part;
  });
}

export interface Stage {
  /** Step 1: `add set` and `flush set` of every new set. */
  declare: Fragment[];
  /** Step 2: `parts` lists of `add element` commands (some may be empty). */
  fill: FillPart[];
  /** Step 3, in the sync's transaction: the lookup chains flushed and pointed at the new sets. */
  swap: Fragment[];
  /** Step 3, after the swap: the old sets deleted. */
  drop: Fragment[];
  /** The generation the family's sets carry after the swap. */
  gen: SetGeneration;
}

/** Plans the staged load of group `group`'s family into the generation after `from`.
 *  `prevLens`: the masked lengths the old generation has sets for. */
export function stageFamily<K>(table: string, group: { id: string; dirs: readonly ('out' | 'in')[] }, from: SetGeneration,
  prevLens: readonly number[], io: StageIo<K>, next: StageContent<K>, netsJson: string, parts: number): Stage {
  const gen: SetGeneration = from ? 0 : 1;
  const old = blocklistSetNames(group.id, io.family, from);
  const names = blocklistSetNames(group.id, io.family, gen);
  const k = Math.max(1, Math.floor(parts));
  const jobs: Array<Array<() => Fragment>> = Array.from({ length: k }, () => []);
  const declare: Fragment[] = [];
  const hash = (name: string, xs: K): void => {
    const n = io.size(xs);
    declare.push(setCmd('add', table, name, io.family, n), flushCmd(table, name));
    // part i takes elements [i·n/k, (i+1)·n/k) of every set: the parts are about equal
    for (let i = 0; i < k; i++) {
      const a = Math.floor((i * n) / k);
      const b = Math.floor(((i + 1) * n) / k);
      if (b > a) jobs[i]?.push(() => elementCmd('add', table, name, io.json(io.slice(xs, a, b))));
    }
  };
  hash(names.single, next.singles);
  for (const m of next.masked) hash(names.masked(m.len), m.nets);
  declare.push(intervalSetCmd(table, names.net, io.family), flushCmd(table, names.net));
  if (next.nets.length) jobs[0]?.push(() => elementCmd('add', table, names.net, netsJson));
  const fill = jobs.map((part): FillPart => () => part.map((job) => job()));

  const swap = lookupRewrite(table, group, io.family, next.masked.map((m) => m.len), gen);
  const drop = [old.single, ...prevLens.map((len) => old.masked(len)), old.net].map((name) => setCmd('delete', table, name, io.family));
  return { declare, fill, swap, drop, gen };
}

/** A group's lookup chains of one family rewritten in place: flushed, then `between` (sets
 *  declared again while nothing looks them up), then their rules for `lens` on the sets of
 *  generation `gen` (nft/render.ts groupLookupRules, as the full render writes them). */
export function lookupRewrite(table: string, group: { id: string; dirs: readonly ('out' | 'in')[] }, family: 4 | 6,
  lens: readonly number[], gen: SetGeneration, between: readonly Fragment[] = []): Fragment[] {
  const lookups = group.dirs.map((dir) => ({ dir, chain: blocklistLookupChain(group.id, dir, family) }));
  const out: Fragment[] = lookups.map(({ chain }) => `{"flush":{"chain":{"family":"inet","table":${q(table)},"name":${q(chain)}}}}`);
  out.push(...between);
  for (const { dir, chain } of lookups) {
    for (const expr of groupLookupRules(group.id, family, dir, lens, gen)) out.push(JSON.stringify({ add: { rule: { family: 'inet', table, chain, expr } } }));
  }
  return out;
}

/** Whether a family's change is a large load worth staging: at least `minElements` elements
 *  in the end, and a set declared again with another size, a length gained or lost, or a set
 *  whose size moves by more than half (which the plan would flush and refill). Sizes only. */
export function wantsStage(prev: { singles: number; masked: ReadonlyArray<{ len: number; n: number }> },
  next: { singles: number; masked: ReadonlyArray<{ len: number; n: number }>; total: number }, minElements: number,
  sizeClass: (n: number) => number): boolean {
  if (next.total < minElements) return false;
  const moves = (p: number, n: number): boolean => sizeClass(p) !== sizeClass(n) || Math.abs(n - p) > n / 2;
  if (moves(prev.singles, next.singles)) return true;
  if (prev.masked.map((m) => m.len).join(',') !== next.masked.map((m) => m.len).join(',')) return true;
  return next.masked.some((m, i) => moves(prev.masked[i]?.n ?? 0, m.n));
}
