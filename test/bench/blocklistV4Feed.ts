// The IPv4 feed of the blocklist benches (blocklist.bench.ts, blocklistPipeline.bench.ts): a
// synthetic feed of 97% single addresses (in random order) and 3% prefixes /24–/20, and its 1%
// change. One copy for both benches, so that they measure the same feed (as blocklistV6Feed.ts
// for IPv6). Written in the parent process or before the measured steps; never measured.
import { rng } from '../helpers/rng.js';

export interface Synthetic { singles: Set<number>; prefixes: Map<number, number> }

/** Dotted-decimal text of an IPv4 address held as a number. */
export function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

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
