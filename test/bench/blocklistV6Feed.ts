// The IPv6 feed of the blocklist bench (`blocklist.bench.ts --family 6`): a synthetic feed of
// 70% single addresses and 30% prefixes (/48 40%, /64 35%, /56 15%, /32 about 10%, and a few
// /29, /36, /40, /44 that stay rare), its 1% change, and the raw baseline's nft files in the same
// masked layout. Written with net/ip.ts bigints in the parent process (never measured), and only
// with APIs the tree before issue 14's IPv6 work also has, so one bench compares both trees.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAddress, formatRange, rangeToCidrs, type IpRange } from '../../firmware/src/net/ip.js';
import { mergeRanges } from '../../firmware/src/net/rangeMerge.js';
import { maskedLengths } from '../../firmware/src/blocklist/prefixSets.js';
import { rng } from '../helpers/rng.js';
import { hashSetSize } from '../../firmware/src/nft/policy.js';

export interface Synthetic6 { singles: Set<bigint>; prefixes: Map<bigint, number> }

/** How many addresses a set's list holds, on either tree: 4 words an address (a Uint32Array,
 *  after issue 14's IPv6 work) or one bigint an address (before). */
export function count6(xs: unknown): number {
  return xs instanceof Uint32Array ? xs.length / 4 : (xs as unknown[]).length;
}

/** A random 16-bit group, and a random value of `bits` bits. */
function randomBits(r: () => number, bits: number): bigint {
  let v = 0n;
  for (let b = 0; b < bits; b += 16) v = (v << 16n) | BigInt(Math.floor(r() * 0x10000));
  return v & ((1n << BigInt(bits)) - 1n);
}

/** Prefix lengths by share of the prefixes, each in its own /16 of 2a00::/12 (never protected). */
const MIX: ReadonlyArray<readonly [number, number, bigint]> = [
  [48, 0.4, 0x2a01n], [64, 0.35, 0x2a02n], [56, 0.15, 0x2a03n], [32, 0.098, 0x2a04n],
  [29, 0.0005, 0x2a05n], [36, 0.0005, 0x2a06n], [40, 0.0005, 0x2a07n], [44, 0.0005, 0x2a08n],
];

function randomPrefix(r: () => number): [bigint, number] {
  let x = r();
  for (const [len, share, top] of MIX) {
    if (x < share || len === 44) return [(top << 112n) | (randomBits(r, len - 16) << BigInt(128 - len)), len];
    x -= share;
  }
  throw new Error('unreachable');
}

const randomSingle = (r: () => number): bigint => (0x2a00n << 112n) | randomBits(r, 112);

/** n entries: 70% singles in 2a00::/16, 30% prefixes (MIX). */
export function generate6(n: number, seed: number): Synthetic6 {
  const r = rng(seed);
  const singles = new Set<bigint>();
  const prefixes = new Map<bigint, number>();
  const nPrefixes = Math.round(n * 0.3);
  while (prefixes.size < nPrefixes) {
    const [a, len] = randomPrefix(r);
    prefixes.set(a, len);
  }
  while (singles.size < n - nPrefixes) singles.add(randomSingle(r));
  return { singles, prefixes };
}

export function feedText6(s: Synthetic6): string {
  const lines: string[] = ['# synthetic IPv6 bench feed'];
  for (const v of s.singles) lines.push(formatAddress(6, v));
  for (const [a, len] of s.prefixes) lines.push(`${formatAddress(6, a)}/${len}`);
  return `${lines.join('\n')}\n`;
}

/** 0.5% of singles and prefixes removed, as many new ones added. */
export function change6(s: Synthetic6, seed: number): Synthetic6 {
  const r = rng(seed);
  const singles = new Set(s.singles);
  const prefixes = new Map(s.prefixes);
  const dropS = Math.round(singles.size * 0.005);
  const dropP = Math.max(1, Math.round(prefixes.size * 0.005));
  let i = 0;
  for (const v of s.singles) if (i++ < dropS) singles.delete(v);
  i = 0;
  for (const k of s.prefixes.keys()) if (i++ < dropP) prefixes.delete(k);
  for (let added = 0; added < dropS;) {
    const v = randomSingle(r);
    if (!s.singles.has(v) && !singles.has(v)) { singles.add(v); added++; }
  }
  for (let added = 0; added < dropP;) {
    const [a, len] = randomPrefix(r);
    if (!s.prefixes.has(a) && !prefixes.has(a)) { prefixes.set(a, len); added++; }
  }
  return { singles, prefixes };
}

/** The raw baselines' files for an IPv6 feed (blocklist.bench.ts writeRawFiles says which). */
export function writeRawFiles6(syn: Synthetic6, dir: string): void {
  const entries: IpRange[] = [...[...syn.singles].map((v): IpRange => ({ family: 6, first: v, last: v })),
    ...[...syn.prefixes].map(([a, len]): IpRange => ({ family: 6, first: a, last: a | ((1n << BigInt(128 - len)) - 1n) }))];
  const merged = mergeRanges([entries])[6];
  const cidrs = merged.flatMap(rangeToCidrs);
  const counts = new Array<number>(129).fill(0);
  for (const c of cidrs) counts[c.prefixLen]! += 1;
  const lens = maskedLengths(counts, 128);
  const singles: string[] = [];
  const masked = new Map<number, string[]>(lens.map((l) => [l, []]));
  const rare: string[] = [];
  for (const c of cidrs) {
    if (c.prefixLen === 128) singles.push(formatAddress(6, c.first));
    else if (masked.has(c.prefixLen)) masked.get(c.prefixLen)!.push(formatAddress(6, c.first));
    else rare.push(formatRange(c));
  }
  const old = merged.filter((x) => x.first !== x.last);
  const el = (name: string, elems: unknown[]): unknown => ({ add: { element: { family: 'inet', table: 'raw', name, elem: elems } } });
  const rangeJson = (x: IpRange): unknown => {
    const t = formatRange(x);
    const slash = t.indexOf('/');
    return slash >= 0 ? { prefix: { addr: t.slice(0, slash), len: Number(t.slice(slash + 1)) } } : { range: [formatAddress(6, x.first), formatAddress(6, x.last)] };
  };
  const rareRanges = cidrs.filter((c) => c.prefixLen !== 128 && !masked.has(c.prefixLen));
  const write = (layout: string, setup: string[], nft: string[], json: unknown[]): void => {
    writeFileSync(join(dir, `raw-${layout}-setup.nft`), `add table inet raw\n${setup.join('\n')}\n`);
    writeFileSync(join(dir, `raw-${layout}.nft`), `${nft.join('\n')}\n`);
    writeFileSync(join(dir, `raw-${layout}.json`), JSON.stringify({ nftables: json }));
  };
  // masked: the hash sets sized as ours (nft/policy.ts hashSetSize); rhash: the same unsized (the kernel's rhashtable)
  for (const [layout, size] of [['masked', (n: number) => `size ${hashSetSize(n)}; `], ['rhash', () => '']] as const) {
    write(layout,
      [`add set inet raw s { type ipv6_addr; ${size(singles.length)}}`, ...lens.map((l) => `add set inet raw p${l} { type ipv6_addr; ${size(masked.get(l)!.length)}}`), 'add set inet raw n { type ipv6_addr; flags interval; }'],
      [`add element inet raw s { ${singles.join(', ')} }`, ...lens.map((l) => `add element inet raw p${l} { ${masked.get(l)!.join(', ')} }`), ...(rare.length ? [`add element inet raw n { ${rare.join(', ')} }`] : [])],
      [el('s', singles), ...lens.map((l) => el(`p${l}`, masked.get(l)!)), ...(rare.length ? [el('n', rareRanges.map(rangeJson))] : [])]);
  }
  write('interval',
    ['add set inet raw s { type ipv6_addr; }', 'add set inet raw n { type ipv6_addr; flags interval; }'],
    [`add element inet raw s { ${singles.join(', ')} }`, `add element inet raw n { ${old.map(formatRange).join(', ')} }`],
    [el('s', singles), el('n', old.map(rangeJson))]);
  writeFileSync(join(dir, 'raw-teardown.nft'), 'delete table inet raw\n');
  writeFileSync(join(dir, 'raw-expect.json'), JSON.stringify({ singles: singles.length, lengths: lens.map((l) => `/${l}:${masked.get(l)!.length}`).join(' '), rare: rare.length }));
}
