// Turns validated address entries into nft set elements: single addresses for hash sets,
// prefixes and ranges for interval sets. Input must already have passed our own parser.
import { exactCidr, formatAddress, parseEntry, type IpRange } from '../net/ip.js';
import { mergeRanges } from '../net/rangeMerge.js';
import type { SetElem } from '../nft/json.js';
import type { FamilyElems } from '../nft/policy.js';

export interface ElemsByFamily {
  v4: FamilyElems;
  v6: FamilyElems;
}

/** nft element for one range: an address, a prefix, or an a-b range. */
export function rangeElem(r: IpRange): SetElem {
  if (r.first === r.last) return formatAddress(r.family, r.first);
  const c = exactCidr(r);
  if (c) return { prefix: { addr: formatAddress(r.family, c.first), len: c.prefixLen } };
  return { range: [formatAddress(r.family, r.first), formatAddress(r.family, r.last)] };
}

/** Merges ranges (iprange-style) and splits them into hash-set singles and interval-set nets. */
export function toElems(ranges: IpRange[]): ElemsByFamily {
  const merged = mergeRanges([ranges]);
  const split = (rs: IpRange[]): FamilyElems => {
    const fe: FamilyElems = { single: [], net: [] };
    for (const r of rs) {
      const e = rangeElem(r);
      if (typeof e === 'string') fe.single.push(e);
      else fe.net.push(e);
    }
    return fe;
  };
  return { v4: split(merged[4]), v6: split(merged[6]) };
}

/** Parses entries that a schema has already validated. Throws IpParseError otherwise. */
export function parseEntries(entries: readonly string[]): IpRange[] {
  return entries.map((e) => parseEntry(e.trim()));
}

/** Interval-set elements (no overlaps, as nft requires): singles become /32 or /128. */
export function intervalElems(ranges: IpRange[], family: 4 | 6): SetElem[] {
  return mergeRanges([ranges])[family].map((r) => {
    const e = rangeElem(r);
    return typeof e === 'string' ? { prefix: { addr: e, len: family === 4 ? 32 : 128 } } : e;
  });
}
