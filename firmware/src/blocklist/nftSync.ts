// Incremental sync of one group's sets (pure planning + a small adapter for counting).
//
// - Hash sets (singles): only the difference is sent: `delete element` for what left,
//   `create element` for what came. `create` fails on an element that already exists and
//   `delete` on one that is missing, so a transaction that succeeds proves the kernel now
//   holds exactly prev − del + add: the element count is checked by construction, and
//   read back only for small sets (`nft list set` of 1M elements takes ~38 s here, and
//   `get element` on a 1M set ~24 s: reading large sets back is not affordable).
// - Interval sets (prefixes, ranges): when they differ they are flushed and refilled in the
//   same transaction. They stay small (20k /24 prefixes: flush + add 0.14 s measured); the
//   pathological case of nft 1.0.6 is deleting single elements from a LARGE interval set,
//   which this never does.
// - A hash set whose change is larger than half of its new size (the first load, a feed
//   replaced wholesale) is flushed and refilled in the same transaction instead: plain
//   `add` into an empty set is the cheapest load nft offers (create checks each element),
//   and the count after it is the number of distinct elements sent, again by construction.
// The whole update of every group is one nft transaction (one `-f` file): all or nothing.
import type { IpRange } from '../net/ip.js';
import type { RulesetSets } from '../nft/backend.js';
import { blocklistSetNames } from '../nft/policy.js';
import { rangeElem } from '../policy/elements.js';
import { diffSingles, sameIntervals } from './diff.js';
import { diffU32, v6Text, type SetContent } from './packed.js';
import { emptyContent } from './layout.js';

/** Sets up to this many elements are read back and counted after an update. */
export const VERIFY_MAX_ELEMENTS = 10_000;

export interface SyncStats { added: number; deleted: number; intervalSetsReplaced: number }
export interface SetExpectation { set: string; expected: number }

export interface SyncPlan {
  /** JSON command fragments, already serialised (no object or string per element is
   *  ever built: large element lists are written as bytes straight into a Buffer). */
  cmds: Array<string | Buffer>;
  /** Sets to count after apply. */
  verify: SetExpectation[];
  stats: SyncStats;
}

const q = (s: string): string => JSON.stringify(s);

function elementCmd(verb: 'create' | 'delete' | 'add', table: string, set: string, elemsJson: string | Buffer): string | Buffer {
  const head = `{${q(verb)}:{"element":{"family":"inet","table":${q(table)},"name":${q(set)},"elem":[`;
  if (typeof elemsJson === 'string') return `${head}${elemsJson}]}}}`;
  return Buffer.concat([Buffer.from(head), elemsJson, Buffer.from(']}}}')]);
}

function flushCmd(table: string, set: string): string {
  return `{"flush":{"set":{"family":"inet","table":${q(table)},"name":${q(set)}}}}`;
}

/** `"a.b.c.d",…` written as ASCII bytes into one Buffer (≤ 18 bytes an address): at 1M
 *  elements this avoids ~1M short-lived strings (≈ 100 MB of heap before the next GC). */
export function joinV4(xs: Uint32Array): Buffer {
  const buf = Buffer.allocUnsafe(xs.length * 18);
  let o = 0;
  const octet = (n: number): void => {
    if (n >= 100) buf[o++] = 48 + Math.floor(n / 100);
    if (n >= 10) buf[o++] = 48 + (Math.floor(n / 10) % 10);
    buf[o++] = 48 + (n % 10);
  };
  for (const v of xs) {
    if (o > 0) buf[o++] = 44; // , (every element before wrote at least its quotes)
    buf[o++] = 34; // "
    octet(v >>> 24);
    buf[o++] = 46;
    octet((v >>> 16) & 255);
    buf[o++] = 46;
    octet((v >>> 8) & 255);
    buf[o++] = 46;
    octet(v & 255);
    buf[o++] = 34;
  }
  return buf.subarray(0, o);
}

function netsJson(nets: readonly IpRange[]): string {
  return nets.map((r) => JSON.stringify(rangeElem(r))).join(',');
}

/** Plans the update of group `id` from `prev` (what the kernel holds) to `next`. */
export function planGroupSync(table: string, id: string, prev: SetContent, next: SetContent): SyncPlan {
  const cmds: Array<string | Buffer> = [];
  const verify: SetExpectation[] = [];
  const stats: SyncStats = { added: 0, deleted: 0, intervalSetsReplaced: 0 };
  const s4 = blocklistSetNames(id, 4);
  const s6 = blocklistSetNames(id, 6);

  const d4 = diffU32(prev.v4Singles, next.v4Singles);
  if (d4.add.length + d4.del.length > next.v4Singles.length / 2) {
    cmds.push(flushCmd(table, s4.single));
    if (next.v4Singles.length) cmds.push(elementCmd('add', table, s4.single, joinV4(next.v4Singles)));
  } else {
    if (d4.del.length) cmds.push(elementCmd('delete', table, s4.single, joinV4(d4.del)));
    if (d4.add.length) cmds.push(elementCmd('create', table, s4.single, joinV4(d4.add)));
  }
  stats.added += d4.add.length;
  stats.deleted += d4.del.length;
  if ((d4.add.length || d4.del.length) && next.v4Singles.length <= VERIFY_MAX_ELEMENTS) verify.push({ set: s4.single, expected: next.v4Singles.length });

  const d6 = diffSingles(prev.v6Singles, next.v6Singles);
  const j6 = (xs: bigint[]): string => xs.map((x) => `"${v6Text(x)}"`).join(',');
  if (d6.del.length) cmds.push(elementCmd('delete', table, s6.single, j6(d6.del)));
  if (d6.add.length) cmds.push(elementCmd('create', table, s6.single, j6(d6.add)));
  stats.added += d6.add.length;
  stats.deleted += d6.del.length;
  if ((d6.add.length || d6.del.length) && next.v6Singles.length <= VERIFY_MAX_ELEMENTS) verify.push({ set: s6.single, expected: next.v6Singles.length });

  for (const [name, p, n] of [[s4.net, prev.v4Nets, next.v4Nets], [s6.net, prev.v6Nets, next.v6Nets]] as const) {
    if (sameIntervals(p, n)) continue;
    cmds.push(flushCmd(table, name));
    if (n.length) cmds.push(elementCmd('add', table, name, netsJson(n)));
    stats.intervalSetsReplaced++;
    stats.added += n.length;
    stats.deleted += p.length;
    if (n.length <= VERIFY_MAX_ELEMENTS) verify.push({ set: name, expected: n.length });
  }
  return { cmds, verify, stats };
}

/** One document (one transaction) from the fragments of several plans. */
export function syncDocument(plans: readonly SyncPlan[]): Buffer {
  const parts: Buffer[] = [Buffer.from('{"nftables":[{"metainfo":{"json_schema_version":1}}')];
  for (const p of plans) for (const c of p.cmds) parts.push(Buffer.from(','), typeof c === 'string' ? Buffer.from(c) : c);
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
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

/** The sync plans that bring every group from `applied` to `next`, and their summed stats. */
export function planSync(table: string, applied: ReadonlyMap<string, SetContent>, next: ReadonlyMap<string, SetContent>): { plans: SyncPlan[]; total: SyncStats } {
  const plans = [...next].map(([id, content]) => planGroupSync(table, id, applied.get(id) ?? emptyContent(), content));
  const total: SyncStats = { added: 0, deleted: 0, intervalSetsReplaced: 0 };
  for (const p of plans) {
    total.added += p.stats.added;
    total.deleted += p.stats.deleted;
    total.intervalSetsReplaced += p.stats.intervalSetsReplaced;
  }
  return { plans, total };
}
