// Incremental sync of one group's sets (pure planning + a small adapter for counting).
//
// Layout (prefixSets.ts): per group and family, singles in a plain hash set, the prefixes of
// each common length in a plain hash set of their own looked up with a netmask, the prefixes
// of rare lengths in a small interval set. Every set is updated by difference:
// - `delete element` for what left, `create element` for what came. `create` fails on an
//   element that already exists and `delete` on one that is missing, so a transaction that
//   succeeds proves the kernel now holds exactly prev − del + add: the element count is
//   checked by construction, and read back only for small sets changed this way (`nft list
//   set` of 1M elements takes ~38 s here: reading large sets back is not affordable). A set
//   flushed and refilled is not read back: after the flush nothing depends on what the
//   kernel held before (and one `nft list set` cost 30–70 ms of a 0.3 s load at 100k).
// - The interval set holds only prefixes of rare lengths (a few hundred at most in practice):
//   edited the same way. (Deleting from a LARGE interval set is pathological in nft 1.0.6;
//   that is why the common lengths live in hash sets.)
// - A set whose change is larger than half of its new size (the first load, a feed replaced
//   wholesale) is flushed and refilled in the same transaction instead: plain `add` into an
//   empty set is the cheapest load nft offers (create checks each element).
// - When a group's set of masked lengths changes, the new sets are created, the group's
//   lookup chains rewritten (flush chain + its rules) and the sets no longer used deleted,
//   in the same transaction.
// - Every hash set is declared with the size its count calls for (nft/policy.ts hashSetSize:
//   the kernel's fixed-size hash, which loads 1.5–2.5× faster than the rhashtable). When the
//   count moves to another size, the set is declared again within the same transaction: the
//   family's lookup chains are flushed, the set deleted and added with its new size and its
//   elements, and the rules added back (nothing looks the set up in between: one transaction).
// - A family of STAGE_MIN_ELEMENTS or more that must be loaded whole (declared again, a length
//   gained or lost, more than half replaced) is staged instead (stagedLoad.ts): filled under
//   its sets' other name first, in parallel parts, then swapped in by the transaction below.
// What the traffic sees changes in one nft transaction for the update of every group: all or
// nothing.
import { exactCidr, formatAddress, type IpRange } from '../net/ip.js';
import type { RulesetSets } from '../nft/backend.js';
import { blocklistSetNames, hashSetSize, type SetGeneration } from '../nft/policy.js';
import { genKey, genOf, joinParts, lookupRewrite, stageFamily, wantsStage, type FillPart, type StageIo } from './stagedLoad.js';
import { elementCmd, flushCmd, fragmentsDocument, joinV4, setCmd, type Fragment } from './elementJson.js';
import { rangeElem } from '../policy/elements.js';
import { diffRanges } from './diff.js';
import { commonU32, diffU32 } from './packed.js';
import { diffV6, v6Count } from '../net/ip6Numbers.js';
import { joinV6 } from '../net/ip6Text.js';
import { emptyContent, type SetContent } from './prefixSets.js';
import type { V4Change } from './groupContent.js';

/** Sets up to this many elements are read back and counted after an update. */
export const VERIFY_MAX_ELEMENTS = 10_000;

export interface SyncStats { added: number; deleted: number; intervalSetsReplaced: number }
export interface SetExpectation { set: string; expected: number }

export interface SyncPlan {
  /** JSON command fragments, already serialised (no object or string per element is
   *  ever built: large element lists are written as bytes straight into a Buffer). A command
   *  of several Buffers is copied once, into the document, not first into a Buffer of its own
   *  (at 1M elements each copy is 15 MB). */
  cmds: Fragment[];
  /** The same commands in nft's own syntax, one a line, when they are element changes only
   *  (the common small update: nft/driver.ts transactNative); null otherwise. */
  native: string[] | null;
  /** Sets to count after apply. */
  verify: SetExpectation[];
  stats: SyncStats;
  /** Staged loads (stagedLoad.ts), run before `cmds`: the new sets declared empty, then
   *  filled in `fill.length` documents that may run at the same time. Empty: none. */
  declare: Fragment[];
  fill: FillPart[];
  /** Families whose sets carry their other name once `cmds` is taken. */
  gens: Array<[string, SetGeneration]>;
}

/** How the sync stages large loads: the generations in force, the least elements a staged
 *  family has, and into how many documents its fill is cut. */
export interface StageOptions { gens: ReadonlyMap<string, SetGeneration>; minElements: number; parts: number }

/** A group as the sync needs it: its id and the directions its lookup chains exist for. */
export interface GroupRef { id: string; dirs: readonly ('out' | 'in')[] }

/** One family's key arrays and how their elements are written. */
interface FamilyIo<K> extends StageIo<K> {
  diff: (prev: K, next: K) => { add: K; del: K };
  /** How many elements both hold (both ascending), when it is cheaper than a diff. */
  common?: (prev: K, next: K) => number;
  size: (xs: K) => number;
  json: (xs: K) => string | Buffer;
  /** The elements in nft's own syntax, `a,b,…`, from their JSON (`json`'s output). */
  text: (json: string | Buffer) => string;
}

// nft's own syntax takes an IPv4 element as the address's 32-bit number too (nft 1.0.6 and 1.1.3,
// create and delete, checked 2026-12-05): the same bytes as the JSON, no string per element
const V4: FamilyIo<Uint32Array> = { family: 4, slice: (xs, a, b) => xs.subarray(a, b), diff: diffU32, common: commonU32, size: (xs) => xs.length, json: joinV4, text: (json) => json.toString('latin1') };
// joinV6 writes only hex digits, colons, commas and the quotes around each address
const V6: FamilyIo<Uint32Array> = { family: 6, slice: (xs, a, b) => xs.subarray(4 * a, 4 * b), diff: diffV6, size: v6Count, json: joinV6, text: (json) => json.toString('latin1').replaceAll('"', '') };

/** Names nft's own syntax takes as they are (ours: `bl_…`, the table's). */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Plans the update of group `g` from `prev` (what the kernel holds) to `next`. `change`: what
 *  the patch of the content found changed (groupContent.ts); taken instead of diffing the IPv4
 *  hash sets when it leads from exactly `prev` to exactly `next`. */
export function planGroupSync(table: string, g: GroupRef, prev: SetContent, next: SetContent, change?: V4Change | null, stage?: StageOptions): SyncPlan {
  // a group whose feeds did not change keeps the very same content object: nothing to walk
  if (prev === next) return { cmds: [], native: [], verify: [], stats: { added: 0, deleted: 0, intervalSetsReplaced: 0 }, declare: [], fill: [], gens: [] };
  const known = change && change.from === prev && change.to === next ? change : null;
  const pre: Fragment[] = [];
  const chains: Fragment[] = [];
  /** Hash sets declared again with another size (within `chains`: after the flush of the
   *  chains that look them up, before their rules come back). */
  let resized: Fragment[] = [];
  const post: Fragment[] = [];
  const verify: SetExpectation[] = [];
  const stats: SyncStats = { added: 0, deleted: 0, intervalSetsReplaced: 0 };
  const declare: Fragment[] = [];
  const fill: FillPart[] = [];
  const gens: Array<[string, SetGeneration]> = [];
  /** Each `delete`/`create` element command of `pre` in nft's own syntax, in the same order:
   *  the plan has a native form when these are all it holds (planned at the end). */
  const native: string[] = [];
  let plainNames = PLAIN_NAME.test(table);
  const nativeCmd = (verb: 'delete' | 'create', set: string, elems: string): void => {
    if (!PLAIN_NAME.test(set)) plainNames = false;
    native.push(`${verb} element inet ${table} ${set} { ${elems} }`);
  };

  /** A hash set that exists in the kernel: difference, or flush + refill when most changed.
   *  `readBack`: also counted after the update when small (the singles set; a masked set is
   *  counted by construction only: one more `nft list set` per length cost more than the
   *  whole 1% update at 100k on this machine). */
  const hashSet = <K>(io: FamilyIo<K>, name: string, p: K, n: K, readBack = true, given?: { add: K; del: K }): void => {
    // a change holds at least the difference in size: past half of the new size the set is
    // flushed and refilled whatever the diff says, and only its counts are needed (the first
    // load after the warm-up's one entry diffed 100k singles for two numbers)
    const np = io.size(p);
    const nn = io.size(n);
    /** The set filled whole with `n` (declared again, or flushed): only the counts of the change are needed. */
    const refilled = (): void => {
      const common = io.common ? io.common(p, n) : nn - io.size(io.diff(p, n).add);
      stats.added += nn - common;
      stats.deleted += np - common;
    };
    if (hashSetSize(np) !== hashSetSize(nn)) {
      resized.push(setCmd('delete', table, name, io.family), setCmd('add', table, name, io.family, nn));
      if (nn) resized.push(elementCmd('add', table, name, io.json(n)));
      refilled();
      return;
    }
    if (!given && io.common && Math.abs(nn - np) > nn / 2) {
      pre.push(flushCmd(table, name));
      if (nn) pre.push(elementCmd('add', table, name, io.json(n)));
      refilled();
      return;
    }
    const d = given ?? io.diff(p, n);
    const nAdd = io.size(d.add);
    const nDel = io.size(d.del);
    if (nAdd + nDel > io.size(n) / 2) {
      pre.push(flushCmd(table, name));
      if (io.size(n)) pre.push(elementCmd('add', table, name, io.json(n)));
    } else {
      // each list written once: the native line is the JSON's elements, as nft's syntax has them
      const del = nDel ? io.json(d.del) : '';
      const add = nAdd ? io.json(d.add) : '';
      if (nDel) pre.push(elementCmd('delete', table, name, del));
      if (nAdd) pre.push(elementCmd('create', table, name, add));
      if (nDel) nativeCmd('delete', name, io.text(del));
      if (nAdd) nativeCmd('create', name, io.text(add));
      // only a set changed by difference relies on what the kernel held before
      if (readBack && (nAdd || nDel) && io.size(n) <= VERIFY_MAX_ELEMENTS) verify.push({ set: name, expected: io.size(n) });
    }
    stats.added += nAdd;
    stats.deleted += nDel;
  };

  const family = <K>(io: FamilyIo<K>, pick: (c: SetContent) => { singles: K; masked: Array<{ len: number; nets: K }>; nets: IpRange[] },
    given?: { singles: { add: K; del: K }; masked: { add: K; del: K }[] } | null): void => {
    const p = pick(prev);
    const n = pick(next);
    // the very same sets (an update of the other family only): nothing to walk
    if (p.singles === n.singles && p.masked === n.masked && p.nets === n.nets) return;
    const gen = genOf(stage?.gens, g.id, io.family);
    const names = blocklistSetNames(g.id, io.family, gen);
    const sizes = (c: typeof p): { singles: number; masked: Array<{ len: number; n: number }>; total: number } => {
      const masked = c.masked.map((m) => ({ len: m.len, n: io.size(m.nets) }));
      return { singles: io.size(c.singles), masked, total: masked.reduce((t, m) => t + m.n, io.size(c.singles) + c.nets.length) };
    };
    if (stage && wantsStage(sizes(p), sizes(n), stage.minElements, hashSetSize)) {
      const s = stageFamily(table, g, gen, p.masked.map((m) => m.len), io, n, netsJson(n.nets), stage.parts);
      declare.push(...s.declare);
      joinParts(fill, s.fill);
      chains.push(...s.swap);
      post.push(...s.drop);
      gens.push([genKey(g.id, io.family), s.gen]);
      // counted as a refill: every set's common part stays, the rest is added or deleted
      const refill = <T>(pp: T, nn: T, size: (x: T) => number, common: (a: T, b: T) => number): void => {
        const c = common(pp, nn);
        stats.added += size(nn) - c;
        stats.deleted += size(pp) - c;
      };
      const commonKeys = (a: K, b: K): number => (io.common ? io.common(a, b) : io.size(b) - io.size(io.diff(a, b).add));
      refill(p.singles, n.singles, io.size, commonKeys);
      const lens = new Set([...p.masked, ...n.masked].map((m) => m.len));
      for (const len of lens) {
        const pm = p.masked.find((m) => m.len === len)?.nets;
        const nm = n.masked.find((m) => m.len === len)?.nets;
        if (pm && nm) refill(pm, nm, io.size, commonKeys);
        else if (nm) stats.added += io.size(nm);
        else if (pm) stats.deleted += io.size(pm);
      }
      const d = diffRanges(p.nets, n.nets);
      stats.added += d.add.length;
      stats.deleted += d.del.length;
      return;
    }
    hashSet(io, names.single, p.singles, n.singles, true, given?.singles);
    const lens = [...new Set([...p.masked, ...n.masked].map((m) => m.len))].sort((a, b) => b - a);
    for (const len of lens) {
      const pm = p.masked.find((m) => m.len === len);
      const nm = n.masked.find((m) => m.len === len);
      const name = names.masked(len);
      if (pm && nm) hashSet(io, name, pm.nets, nm.nets, false, given?.masked[n.masked.indexOf(nm)]);
      else if (nm) {
        pre.push(setCmd('add', table, name, io.family, io.size(nm.nets)));
        if (io.size(nm.nets)) pre.push(elementCmd('add', table, name, io.json(nm.nets)));
        stats.added += io.size(nm.nets);
      } else if (pm) {
        post.push(setCmd('delete', table, name, io.family)); // after the rules that used it are gone
        stats.deleted += io.size(pm.nets);
      }
    }
    const pl = p.masked.map((m) => m.len).join(',');
    const nl = n.masked.map((m) => m.len).join(',');
    if (pl !== nl || resized.length) {
      chains.push(...lookupRewrite(table, g, io.family, n.masked.map((m) => m.len), gen, resized));
      resized = [];
    }
    // the interval set: prefixes of rare lengths, few; edited like the hash sets
    const d = diffRanges(p.nets, n.nets);
    if (d.add.length + d.del.length > n.nets.length / 2 && d.add.length + d.del.length > 0) {
      pre.push(flushCmd(table, names.net));
      if (n.nets.length) pre.push(elementCmd('add', table, names.net, netsJson(n.nets)));
      stats.intervalSetsReplaced++;
    } else if (d.add.length || d.del.length) {
      if (d.del.length) pre.push(elementCmd('delete', table, names.net, netsJson(d.del)));
      if (d.add.length) pre.push(elementCmd('create', table, names.net, netsJson(d.add)));
      if (d.del.length) nativeCmd('delete', names.net, netsText(d.del));
      if (d.add.length) nativeCmd('create', names.net, netsText(d.add));
      if (n.nets.length <= VERIFY_MAX_ELEMENTS) verify.push({ set: names.net, expected: n.nets.length });
    }
    stats.added += d.add.length;
    stats.deleted += d.del.length;
  };

  family(V4, (c) => ({ singles: c.v4Singles, masked: c.v4Masked, nets: c.v4Nets }), known);
  family(V6, (c) => ({ singles: c.v6Singles, masked: c.v6Masked, nets: c.v6Nets }), known?.v6);
  // element changes only: one native line for each command (a flush, a set declared or
  // deleted, a chain rewritten has none), and names nft's own syntax takes as they are
  const elementsOnly = !chains.length && !post.length && native.length === pre.length;
  return { cmds: [...pre, ...chains, ...post], native: plainNames && elementsOnly ? native : null, verify, stats, declare, fill, gens };
}

function netsJson(nets: readonly IpRange[]): string {
  return nets.map((r) => JSON.stringify(rangeElem(r))).join(',');
}

/** An interval set's elements in nft's own syntax: `a`, `a/len`, `a-b`. */
function netsText(nets: readonly IpRange[]): string {
  return nets.map((r) => {
    if (r.first === r.last) return formatAddress(r.family, r.first);
    const c = exactCidr(r);
    return c ? `${formatAddress(r.family, c.first)}/${c.prefixLen}` : `${formatAddress(r.family, r.first)}-${formatAddress(r.family, r.last)}`;
  }).join(',');
}

/** The plans as one batch in nft's own syntax, when every one has it (element changes only). */
export function nativeDocument(plans: readonly SyncPlan[]): string | null {
  const lines: string[] = [];
  for (const p of plans) {
    if (!p.native) return null;
    lines.push(...p.native);
  }
  return `${lines.join('\n')}\n`;
}

/** One document (one transaction) from the fragments of several plans. */
export function syncDocument(plans: readonly SyncPlan[]): Buffer {
  return fragmentsDocument(plans.flatMap((p) => p.cmds));
}

export class SetCountError extends Error {
  override name = 'SetCountError';
}

/** Counts the elements of one of our sets in the kernel. Throws NftError. */
export async function countSetElements(ruleset: RulesetSets, set: string): Promise<number> {
  const out = JSON.parse(await ruleset.listSet('inet', set)) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
  return out.nftables.reduce((n, o) => n + (o.set?.elem?.length ?? 0), 0);
}

/** Checks the expected counts; throws SetCountError naming every set that differs. */
export async function verifyCounts(ruleset: RulesetSets, expect: readonly SetExpectation[]): Promise<void> {
  const wrong: string[] = [];
  for (const e of expect) {
    const got = await countSetElements(ruleset, e.set);
    if (got !== e.expected) wrong.push(`${e.set}: kernel has ${got}, expected ${e.expected}`);
  }
  if (wrong.length) throw new SetCountError(wrong.join('; '));
}

/** The sync plans that bring every group from `applied` to `next`, and their summed stats.
 *  `groups` says which directions each group's chains exist for (default: both). */
export function planSync(table: string, applied: ReadonlyMap<string, SetContent>, next: ReadonlyMap<string, SetContent>,
  groups: readonly { id: string; direction: 'outbound' | 'inbound' | 'both' }[] = [],
  changeOf: (id: string) => V4Change | null = () => null, stage?: StageOptions): { plans: SyncPlan[]; total: SyncStats } {
  const dirsOf = (id: string): ('out' | 'in')[] => {
    const d = groups.find((x) => x.id === id)?.direction ?? 'both';
    return d === 'both' ? ['out', 'in'] : d === 'outbound' ? ['out'] : ['in'];
  };
  const plans = [...next].map(([id, content]) => planGroupSync(table, { id, dirs: dirsOf(id) }, applied.get(id) ?? emptyContent(), content, changeOf(id), stage));
  const total: SyncStats = { added: 0, deleted: 0, intervalSetsReplaced: 0 };
  for (const p of plans) {
    total.added += p.stats.added;
    total.deleted += p.stats.deleted;
    total.intervalSetsReplaced += p.stats.intervalSetsReplaced;
  }
  return { plans, total };
}
