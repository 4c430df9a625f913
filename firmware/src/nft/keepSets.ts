// Re-applies that keep what the packet path learned. A rendered document replaces our tables
// whole (`add table; delete table; …`), which empties the dynamic sets the kernel fills by
// itself: `lan_seen` (device sightings) and the per-device byte counters. nft 1.0.6 cannot
// write a counter's value back into an element, so carrying the elements over would zero
// every counter. Instead, when a table already exists, the `delete table` is swapped for
// `flush table` (rules only) plus a delete of every chain, counter and set EXCEPT the
// dynamic sets whose definition is unchanged, and their `add set` is dropped: the sets stay
// in the kernel with their elements, counters and expiry times, and the rest is replaced in
// the same transaction. Pure.
import { z } from 'zod';
import type { Cmd, NftDocument } from './json.js';

/** A set as `nft -j -t list table` reports it (terse: no elements). */
export interface KernelSet { name: string; type: unknown; flags?: unknown; timeout?: unknown; size?: unknown; stmt?: unknown }

/** What one of our tables holds now, per family (absent: the table does not exist). */
export interface KernelTable { chains: string[]; sets: KernelSet[]; counters: string[]; maps?: string[] }

export interface KeepPlan {
  doc: NftDocument;
  /** Sets left in place, as `family name`. */
  kept: string[];
}

type Body = Record<string, unknown>;

function kindOf(cmd: Cmd, verb: 'add' | 'delete'): [string, Body] | null {
  const o = (cmd as Record<string, unknown>)[verb] as Record<string, Body> | undefined;
  if (!o) return null;
  const entry = Object.entries(o)[0];
  return entry ? [entry[0], entry[1]] : null;
}

const norm = (flags: unknown): string => (Array.isArray(flags) ? flags.filter((f) => f !== 'dynamic').map(String).sort().join(',') : '');

/** Same definition, as far as the kernel would refuse or change it: type, flags, timeout, size, per-element statements. */
export function sameDefinition(want: Body, got: KernelSet): boolean {
  return JSON.stringify(want.type) === JSON.stringify(got.type)
    && norm(want.flags) === norm(got.flags)
    && (want.timeout ?? null) === (got.timeout ?? null)
    && (want.size ?? null) === (got.size ?? null)
    && JSON.stringify(want.stmt ?? []) === JSON.stringify(got.stmt ?? []);
}

/**
 * Rewrites `doc` so the named dynamic sets survive when their table exists in `current`.
 * `keep` names sets (any family) whose elements the kernel owns; a kept set must be rendered
 * without elements. Documents without a `delete table` for a family are returned unchanged.
 */
export function keepDynamicSets(doc: NftDocument, table: string, current: Partial<Record<string, KernelTable>>, keep: readonly string[]): KeepPlan {
  const keepable = new Set(keep);
  // which rendered sets can stay: exist in the kernel with the same definition, rendered empty
  const stays = new Set<string>();
  for (const cmd of doc.nftables) {
    const a = kindOf(cmd, 'add');
    if (!a || a[0] !== 'set') continue;
    const b = a[1];
    const fam = String(b.family);
    if (b.table !== table || !keepable.has(String(b.name)) || (Array.isArray(b.elem) && b.elem.length)) continue;
    const got = current[fam]?.sets.find((s) => s.name === b.name);
    if (got && sameDefinition(b, got)) stays.add(`${fam} ${String(b.name)}`);
  }
  // a family whose table the document deletes and never adds again (bridge → router) is
  // simply deleted: nothing in it is kept
  const readded = new Set<string>();
  doc.nftables.forEach((cmd, i) => {
    const d = kindOf(cmd, 'delete');
    if (!d || d[0] !== 'table' || d[1].name !== table) return;
    const fam = String(d[1].family);
    if (doc.nftables.slice(i + 1).some((c) => { const a = kindOf(c, 'add'); return a?.[0] === 'table' && a[1].name === table && a[1].family === fam; })) readded.add(fam);
  });
  for (const k of [...stays]) if (!readded.has(k.slice(0, k.indexOf(' ')))) stays.delete(k); // `FAMILY NAME`
  const out: Cmd[] = [];
  for (const cmd of doc.nftables) {
    const d = kindOf(cmd, 'delete');
    const fam = d ? String(d[1].family) : '';
    const cur = current[fam];
    if (d && d[0] === 'table' && d[1].name === table && cur && readded.has(fam)) {
      const obj = (kind: string, name: string): Cmd => ({ delete: { [kind]: { family: fam, table, name } } }) as unknown as Cmd;
      out.push({ flush: { table: { family: fam, name: table } } } as unknown as Cmd);
      for (const c of cur.chains) out.push(obj('chain', c));
      for (const s of cur.sets) if (!stays.has(`${fam} ${s.name}`)) out.push(obj('set', s.name));
      for (const m of cur.maps ?? []) out.push(obj('map', m));
      for (const c of cur.counters) out.push(obj('counter', c));
      continue;
    }
    const a = kindOf(cmd, 'add');
    if (a && a[0] === 'set' && a[1].table === table && stays.has(`${String(a[1].family)} ${String(a[1].name)}`)) continue;
    out.push(cmd);
  }
  return { doc: { nftables: out }, kept: [...stays].sort() };
}

// `nft -j -t list table` output, as far as it is read here: each item names one object.
const Named = z.looseObject({ name: z.unknown().transform(String) });
// Set fields stay as the kernel wrote them: sameDefinition compares them, nothing else reads them.
const ListedSet = z.looseObject({ name: z.unknown().transform(String), type: z.unknown() });
const Listing = z.object({
  nftables: z.array(z.object({ chain: Named.optional(), set: ListedSet.optional(), counter: Named.optional(), map: Named.optional() })).optional(),
});

/** Reads the objects of one table from `nft -j -t list table FAMILY NAME` output; throws on
 *  text that is not JSON (SyntaxError) or not such a listing (ZodError). */
export function parseKernelTable(json: string): KernelTable {
  const t: KernelTable = { chains: [], sets: [], counters: [], maps: [] };
  for (const o of Listing.parse(JSON.parse(json)).nftables ?? []) {
    if (o.chain) t.chains.push(o.chain.name);
    else if (o.set) t.sets.push(o.set);
    else if (o.counter) t.counters.push(o.counter.name);
    else if (o.map) t.maps?.push(o.map.name);
  }
  return t;
}
