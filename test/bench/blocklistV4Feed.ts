// The IPv4 feed of the blocklist benches (blocklist.bench.ts, blocklistPipeline.bench.ts): a
// synthetic feed of 97% single addresses (in random order) and 3% prefixes /24–/20, and its 1%
// change. One copy for both benches, so that they measure the same feed (as blocklistV6Feed.ts
// for IPv6). Written in the parent process or before the measured steps; never measured.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RangePacker, splitPacked, v4Text } from '../../firmware/src/blocklist/packed.js';
import { hashSetSize } from '../../firmware/src/nft/policy.js';
import { rng } from '../helpers/rng.js';

export interface Synthetic { singles: Set<number>; prefixes: Map<number, number> }

/** Dotted-decimal text of an IPv4 address held as a number (the firmware's own). */
export { v4Text };

/** n entries: 97% singles in 1.0.0.0–9.255.255.255, 3% prefixes in 11.0.0.0–99.255.255.255
 *  (80% /24, the rest /20–/23). */
export function generate(n: number, seed: number): Synthetic {
  const r = rng(seed);
  const singles = new Set<number>();
  const prefixes = new Map<number, number>();
  const nPrefixes = Math.round(n * 0.03);
  while (prefixes.size < nPrefixes) {
    const len = r() < 0.8 ? 24 : 20 + Math.floor(r() * 4);
    const block = 2 ** (32 - len);
    prefixes.set(Math.floor((0x0b000000 + r() * (0x63ffffff - 0x0b000000)) / block) * block, len);
  }
  while (singles.size < n - nPrefixes) singles.add(0x01000000 + Math.floor(r() * (0x09ffffff - 0x01000000)));
  return { singles, prefixes };
}

/** The feed's text (`plain` format): a comment line, the singles, then the prefixes, in the
 *  order they were added (a list that appends new entries and drops its oldest: the 1% change's
 *  lines are together, at the head and the end); `sorted`: every entry in address order, as
 *  iprange's output and other sorted lists are (the 1% change's lines are everywhere). */
export function feedText(s: Synthetic, sorted = false): string {
  const entries: Array<[number, string]> = [];
  for (const v of s.singles) entries.push([v, v4Text(v)]);
  for (const [a, len] of s.prefixes) entries.push([a, `${v4Text(a)}/${len}`]);
  if (sorted) entries.sort((x, y) => x[0] - y[0]);
  return `${['# synthetic bench feed', ...entries.map((e) => e[1])].join('\n')}\n`;
}

/** 0.5% of singles and prefixes removed (the first ones), as many new ones added (new /24s at
 *  least 4096 addresses from every prefix held). */
export function change(s: Synthetic, seed: number): Synthetic {
  const r = rng(seed);
  const singles = new Set(s.singles);
  const prefixes = new Map(s.prefixes);
  const dropS = Math.round(singles.size * 0.005);
  const dropP = Math.max(1, Math.round(prefixes.size * 0.005));
  [...s.singles].slice(0, dropS).forEach((v) => singles.delete(v));
  [...s.prefixes.keys()].slice(0, dropP).forEach((k) => prefixes.delete(k));
  for (let added = 0; added < dropS;) {
    const v = 0x01000000 + Math.floor(r() * (0x09ffffff - 0x01000000));
    if (!s.singles.has(v) && !singles.has(v)) { singles.add(v); added++; }
  }
  const keys = [...prefixes.keys()];
  for (let added = 0; added < dropP;) {
    const a = Math.floor((0x0b000000 + r() * (0x63ffffff - 0x0b000000)) / 256) * 256;
    if (!keys.some((p) => Math.abs(p - a) < 1 << 12)) { prefixes.set(a, 24); keys.push(a); added++; }
  }
  return { singles, prefixes };
}

/** The raw baselines' files, written by the parent (so neither their data nor their text
 *  counts in the measured process): the masked layout of the same entries (singles hash set,
 *  one hash set per masked length, interval set of rare lengths), and the layout before
 *  (singles hash set + every merged range in one interval set); native and JSON each
 *  (blocklist.bench.ts; as writeRawFiles6 for IPv6). */
export function writeRawFiles(syn: Synthetic, dir: string, parts: number): void {
  const packer = new RangePacker();
  for (const v of syn.singles) packer.addV4(v, v);
  for (const [a, len] of syn.prefixes) packer.addV4(a, a + 2 ** (32 - len) - 1);
  const packed = packer.finish();
  const c = splitPacked(packed);
  const singles = Array.from(c.v4Singles, (x) => v4Text(x));
  const el = (name: string, elems: unknown[]): unknown => ({ add: { element: { family: 'inet', table: 'raw', name, elem: elems } } });
  const range = (f: number, l: number): { text: string; json: unknown } => ({ text: `${v4Text(f)}-${v4Text(l)}`, json: { range: [v4Text(f), v4Text(l)] } });
  const masked = c.v4Masked.map((m) => ({ len: m.len, nets: Array.from(m.nets, (x) => v4Text(x)) }));
  const rare = c.v4Nets.map((r) => range(Number(r.first), Number(r.last)));
  const old: Array<{ text: string; json: unknown }> = [];
  for (let i = 0; i < packed.v4First.length; i++) if (packed.v4First[i] !== packed.v4Last[i]) old.push(range(packed.v4First[i]!, packed.v4Last[i]!));
  const write = (layout: string, setup: string[], nft: string[], json: unknown[], int: unknown[]): void => {
    writeFileSync(join(dir, `raw-${layout}-setup.nft`), `add table inet raw\n${setup.join('\n')}\n`);
    writeFileSync(join(dir, `raw-${layout}.nft`), `${nft.join('\n')}\n`);
    writeFileSync(join(dir, `raw-${layout}.json`), JSON.stringify({ nftables: json }));
    writeFileSync(join(dir, `raw-${layout}.int.json`), JSON.stringify({ nftables: int }));
  };
  // JSON with the hash sets' addresses as numbers (what ours writes; the ranges stay text)
  const singleNums = Array.from(c.v4Singles);
  // masked: the hash sets sized as ours (nft/policy.ts hashSetSize); rhash: the same unsized (the kernel's rhashtable)
  for (const [layout, size] of [['masked', (k: number) => `size ${hashSetSize(k)}; `], ['rhash', () => '']] as const) {
    write(layout,
      [`add set inet raw s { type ipv4_addr; ${size(singles.length)}}`, ...masked.map((m) => `add set inet raw p${m.len} { type ipv4_addr; ${size(m.nets.length)}}`), 'add set inet raw n { type ipv4_addr; flags interval; }'],
      [`add element inet raw s { ${singles.join(', ')} }`, ...masked.map((m) => `add element inet raw p${m.len} { ${m.nets.join(', ')} }`), ...(rare.length ? [`add element inet raw n { ${rare.map((r) => r.text).join(', ')} }`] : [])],
      [el('s', singles), ...masked.map((m) => el(`p${m.len}`, m.nets)), ...(rare.length ? [el('n', rare.map((r) => r.json))] : [])],
      [el('s', singleNums), ...c.v4Masked.map((m) => el(`p${m.len}`, Array.from(m.nets))), ...(rare.length ? [el('n', rare.map((r) => r.json))] : [])]);
  }
  write('interval',
    ['add set inet raw s { type ipv4_addr; }', 'add set inet raw n { type ipv4_addr; flags interval; }'],
    [`add element inet raw s { ${singles.join(', ')} }`, `add element inet raw n { ${old.map((r) => r.text).join(', ')} }`],
    [el('s', singles), el('n', old.map((r) => r.json))],
    [el('s', singleNums), el('n', old.map((r) => r.json))]);
  // the same masked document cut into the parts a staged load fills at once (NftDriver
  // fillParts: `parts`), part i holding elements [i·n/k, (i+1)·n/k) of every set: raw-parallel
  const k = parts;
  for (let i = 0; i < k; i++) {
    const cut = <T>(xs: readonly T[]): T[] => xs.slice(Math.floor((i * xs.length) / k), Math.floor(((i + 1) * xs.length) / k));
    const cmds: Array<[string, unknown[]]> = [['s', cut(singleNums)], ...c.v4Masked.map((m): [string, unknown[]] => [`p${m.len}`, cut(Array.from(m.nets))]), ['n', i === 0 ? rare.map((r) => r.json) : []]];
    writeFileSync(join(dir, `raw-masked.part${i}.int.json`), JSON.stringify({ nftables: cmds.filter(([, e]) => e.length).map(([name, e]) => el(name, e)) }));
  }
  writeFileSync(join(dir, 'raw-teardown.nft'), 'delete table inet raw\n');
  writeFileSync(join(dir, 'raw-expect.json'), JSON.stringify({ singles: c.v4Singles.length, lengths: c.v4Masked.map((m) => `/${m.len}:${m.nets.length}`).join(' '), rare: c.v4Nets.length }));
}
