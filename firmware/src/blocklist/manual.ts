// Manual blocks: a technician or the monitoring centre blocks an address for a while.
// They live in SQLite with their expiry (so they survive a restart) and in the `manual`
// group's timeout sets, where the kernel removes them by itself when the time is up.
// A restart re-adds the live ones with the time that is left.
import { formatRange, parseEntry, type IpRange } from '../net/ip.js';
import type { BlocklistGroup, FamilyElems } from '../nft/policy.js';
import { blocklistSetNames } from '../nft/policy.js';
import type { SetElem } from '../nft/json.js';
import { rangeElem } from '../policy/elements.js';
import type { ManualBlock } from './repos.js';

export const MANUAL_GROUP = 'manual';

/** Seconds left of a block at `now` (at least 1 while it is live). */
export function remainingSeconds(b: ManualBlock, now: number): number {
  return Math.max(1, Math.ceil((b.expiresAt - now) / 1000));
}

function timed(r: IpRange, seconds: number): SetElem {
  const val = rangeElem(r);
  if (typeof val === 'object' && 'elem' in val) return val;
  return { elem: { val, timeout: seconds } };
}

/** The renderer's `manual` group for the live blocks at `now` (pure). */
export function manualGroup(blocks: readonly ManualBlock[], now: number): BlocklistGroup {
  const fam = (): FamilyElems => ({ single: [], net: [] });
  const g: BlocklistGroup = { id: MANUAL_GROUP, direction: 'both', action: 'drop', timeouts: true, v4: fam(), v6: fam() };
  const nets: Array<{ r: IpRange; b: ManualBlock }> = [];
  for (const b of blocks) {
    if (b.expiresAt <= now) continue;
    const r = parseEntry(b.entry);
    if (r.first === r.last) (r.family === 4 ? g.v4 : g.v6).single.push(timed(r, remainingSeconds(b, now)));
    else nets.push({ r, b });
  }
  // an interval set refuses overlapping elements, and one refused element would fail the
  // whole ruleset: keep the first of overlapping nets (block.add refuses them anyway)
  nets.sort((x, y) => x.r.family - y.r.family || (x.r.first < y.r.first ? -1 : x.r.first > y.r.first ? 1 : 0));
  let last: IpRange | null = null;
  for (const { r, b } of nets) {
    if (last && last.family === r.family && r.first <= last.last) continue;
    (r.family === 4 ? g.v4 : g.v6).net.push(timed(r, remainingSeconds(b, now)));
    last = r;
  }
  return g;
}

/** A live manual net block that overlaps `r` (another entry), if any. */
export function overlappingBlock(blocks: readonly ManualBlock[], r: IpRange, now: number): ManualBlock | undefined {
  if (r.first === r.last) return undefined;
  return blocks.find((b) => {
    if (b.expiresAt <= now) return false;
    const o = parseEntry(b.entry);
    return o.first !== o.last && o.family === r.family && o.first <= r.last && r.first <= o.last && formatRange(o) !== formatRange(r);
  });
}

/** Normalised text of a block entry (address, prefix or range). Throws IpParseError. */
export function normaliseEntry(text: string): { text: string; range: IpRange } {
  const range = parseEntry(text.trim());
  return { text: formatRange(range), range };
}

/** nft commands (JSON text) that put one block into the kernel, replacing an older one. */
export function manualAddCmds(table: string, r: IpRange, seconds: number, replace: boolean): string[] {
  const names = blocklistSetNames(MANUAL_GROUP, r.family);
  const set = r.first === r.last ? names.single : names.net;
  const elem = (e: SetElem): string => JSON.stringify({ family: 'inet', table, name: set, elem: [e] });
  const cmds: string[] = [];
  if (replace) cmds.push(`{"delete":{"element":${elem(rangeElem(r))}}}`);
  cmds.push(`{"add":{"element":${elem(timed(r, seconds))}}}`);
  return cmds;
}

/** nft command that removes one block from the kernel. */
export function manualDelCmds(table: string, r: IpRange): string[] {
  const names = blocklistSetNames(MANUAL_GROUP, r.family);
  const set = r.first === r.last ? names.single : names.net;
  return [`{"delete":{"element":${JSON.stringify({ family: 'inet', table, name: set, elem: [rangeElem(r)] })}}}`];
}
