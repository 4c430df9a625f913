// The steps of a group content's patch that are the same for both families (groupContent.ts
// for IPv4, groupContentV6.ts for IPv6): each masked set patched with the prefixes that left
// and came, what changed of it without the prefixes that left and came back, and the rare
// prefixes (few) filtered and merged. Pure.
import type { IpRange } from '../net/ip.js';

/** What left (`del`) and came (`add`) of one hash set, ascending; no value in both. */
export interface SetDiff<K> { del: K; add: K }

/** How a family's sorted key arrays are patched. */
export interface KeyPatch<K> {
  /** `prev` without `del` and with `add`, or null when that does not fit. */
  patch(prev: K, del: K, add: K): K | null;
  /** `del` and `add` without the values in both. */
  exact(del: K, add: K): SetDiff<K>;
  empty: K;
}

/** Each masked set of `prev` patched (the lengths are the same in `del` and `add`, by index),
 *  with what changed of it; null when one does not fit. */
export function patchMasked<K>(prev: ReadonlyArray<{ len: number; nets: K }>, del: ReadonlyArray<{ nets: K }>, add: ReadonlyArray<{ nets: K }>, io: KeyPatch<K>):
  { masked: Array<{ len: number; nets: K }>; change: Array<SetDiff<K>> } | null {
  const masked: Array<{ len: number; nets: K }> = [];
  const change: Array<SetDiff<K>> = [];
  for (const [k, m] of prev.entries()) {
    const d = del[k]?.nets ?? io.empty;
    const a = add[k]?.nets ?? io.empty;
    const nets = io.patch(m.nets, d, a);
    if (!nets) return null;
    masked.push({ len: m.len, nets });
    change.push(io.exact(d, a));
  }
  return { masked, change };
}

/** The rare prefixes of `prev` without those of `del` and with those of `add`, by first address. */
export function patchRare(prev: readonly IpRange[], del: readonly IpRange[], add: readonly IpRange[]): IpRange[] {
  const gone = new Set(del.map((r) => r.first));
  return [...prev.filter((r) => !gone.has(r.first)), ...add].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}
