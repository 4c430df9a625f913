// An IPv6 feed on numbers (issue 14) against the real kernel, in a namespace this test creates
// and removes: singles, prefixes of common lengths (masked hash sets), rare lengths (interval
// set) and an unaligned range (cut into prefixes) are read by the feed parser on numbers,
// guarded, packed and loaded by a full apply; a 1% update then goes in by difference as one
// transaction. What is checked is every element the kernel holds, set by set, against the
// bigint reference split of the same feed, and which addresses it matches.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { run } from '../../../firmware/src/sys/run.js';
import { nftNamespace } from '../../helpers/nsDriver.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';
import { toBlocklistGroup, type GroupLayout } from '../../../firmware/src/blocklist/layout.js';
import { RangePacker, splitPacked, type SetContent } from '../../../firmware/src/blocklist/packed.js';
import { planSync, syncDocument, verifyCounts } from '../../../firmware/src/blocklist/nftSync.js';
import { evaluateFeed } from '../../../firmware/src/blocklist/evaluate.js';
import { buildGuard } from '../../../firmware/src/blocklist/guard.js';
import { formatAddress, formatRange, parseEntry, rangeToCidrs } from '../../../firmware/src/net/ip.js';
import { mergeRanges } from '../../../firmware/src/net/rangeMerge.js';

const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const router = (): Policy => ({ ...JSON.parse(readFileSync(new URL('../../fixtures/nft/policy-router.json', import.meta.url), 'utf8')), base }) as Policy;
const layout: GroupLayout = { id: 'fbothdrop', direction: 'both', action: 'drop', feedIds: ['f'] };
const DB8 = 0x2001_0db8n << 96n;

/** `n` prefixes of length `len` in 2001:db8::/32 from `at` (an offset in it), every other block. */
const prefixes = (at: bigint, len: number, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${formatAddress(6, DB8 + at + BigInt(2 * i) * (1n << BigInt(128 - len)))}/${len}`);
/** `n` single addresses spread over 2001:db8:ffff::/48. */
const singles = (n: number, salt: number): string[] =>
  Array.from({ length: n }, (_, i) => formatAddress(6, DB8 + (0xffffn << 80n) + BigInt(i) * 0x1_0000_0001n + BigInt(salt)));

/** The feed read, guarded and packed as a refresh does (numbers all the way), and split. */
function load(lines: string[]): SetContent {
  const p = new RangePacker();
  const o = evaluateFeed({ id: 'f', format: 'range', allowHostBits: false, minEntries: 1, maxShrinkRatio: 0, maxRejectRatio: 0 },
    { v6: { text: lines.join('\n') } }, buildGuard(), null, (r) => p.add(r), p, p);
  if (!o.health.ok || o.stats.usable !== lines.length) throw new Error(`feed not loadable: ${JSON.stringify(o.stats)}`);
  return splitPacked(p.finish());
}

/** What each set must hold, from the bigint reference: singles, masked lengths, rare prefixes. */
function expected(lines: string[], lens: number[]): Map<string, string[]> {
  const cidrs = mergeRanges([lines.map((l) => parseEntry(l))])[6].flatMap(rangeToCidrs);
  const out = new Map<string, string[]>([['bl_fbothdrop_v6', []], ['bl_fbothdrop_v6n', []], ...lens.map((l): [string, string[]] => [`bl_fbothdrop_v6_p${l}`, []])]);
  for (const c of cidrs) {
    if (c.prefixLen === 128) out.get('bl_fbothdrop_v6')!.push(formatAddress(6, c.first));
    else if (lens.includes(c.prefixLen)) out.get(`bl_fbothdrop_v6_p${c.prefixLen}`)!.push(formatAddress(6, c.first));
    else out.get('bl_fbothdrop_v6n')!.push(formatRange(c));
  }
  for (const v of out.values()) v.sort();
  return out;
}

const byName = (m: Map<string, string[]>): Record<string, string[]> => Object.fromEntries([...m].sort((x, y) => (x[0] < y[0] ? -1 : 1)));

test('an IPv6 feed of singles, masked prefixes and rare lengths loads and takes a 1% update: the kernel holds exactly the list', async (t) => {
  const { nft, driver } = await nftNamespace(t, 'utm-m6');
  /** Every element of each of the group's IPv6 sets, as nft prints them. */
  const kernel = async (): Promise<Map<string, string[]>> => {
    const out = new Map<string, string[]>();
    const doc = JSON.parse((await run([...nft, '-j', 'list', 'sets', 'inet'])).stdout) as { nftables: Array<{ set?: { name: string } }> };
    for (const name of doc.nftables.flatMap((o) => (o.set && o.set.name.startsWith('bl_fbothdrop_v6') ? [o.set.name] : []))) {
      const s = JSON.parse((await run([...nft, '-j', 'list', 'set', 'inet', 'utm', name])).stdout) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
      const elems = s.nftables.flatMap((o) => o.set?.elem ?? []).map((e) => {
        if (typeof e === 'string') return e;
        const p = (e as { prefix?: { addr: string; len: number } }).prefix;
        if (p) return `${p.addr}/${p.len}`;
        const r = (e as { range?: [string, string] }).range;
        return r ? `${r[0]}-${r[1]}` : JSON.stringify(e);
      });
      out.set(name, elems.sort());
    }
    return out;
  };
  const matched = async (addr: string, c: SetContent): Promise<boolean> => {
    const v = parseEntry(addr).first;
    const tries: Array<[string, string]> = [['bl_fbothdrop_v6', addr], ['bl_fbothdrop_v6n', addr],
      ...c.v6Masked.map((m): [string, string] => [`bl_fbothdrop_v6_p${m.len}`, formatAddress(6, v & ~((1n << BigInt(128 - m.len)) - 1n))])];
    for (const [set, key] of tries) if ((await run([...nft, 'get', 'element', 'inet', 'utm', set, `{ ${key} }`], { allowFailure: true })).code === 0) return true;
    return false;
  };

  // 2,000 singles, 300 /48 and 200 /64 (masked), 3 /56 and one /40 (rare), one unaligned range
  const feedA = [
    ...singles(2000, 0), ...prefixes(16n << 88n, 48, 300), ...prefixes(1n << 88n, 64, 200),
    ...prefixes(2n << 88n, 56, 3), ...prefixes(3n << 88n, 40, 1), '2001:db8:5::3-2001:db8:5::1:2',
  ];
  const a = load(feedA);
  t.deepEqual(a.v6Masked.map((m) => m.len), [64, 48]);
  const p = router();
  p.blocklists.push(toBlocklistGroup(layout, a));
  await driver.apply(renderRuleset(p));
  t.deepEqual(byName(await kernel()), byName(expected(feedA, [64, 48])));

  // 1%: 25 entries leave (singles and prefixes of both masked lengths and the rare /40), 25 come
  const left = new Set([...feedA.slice(0, 20), feedA[2000]!, feedA[2001]!, feedA[2300]!, feedA[2301]!, feedA[2503]!]);
  const feedB = [...feedA.filter((l) => !left.has(l)), ...singles(20, 7), ...prefixes((16n << 88n) + (1n << 80n), 48, 2), ...prefixes((1n << 88n) + (1n << 64n), 64, 2), ...prefixes(5n << 88n, 44, 1)];
  const b = load(feedB);
  const { plans, total } = planSync('utm', new Map([['fbothdrop', a]]), new Map([['fbothdrop', b]]), [layout]);
  t.like(total, { added: 25, deleted: 25 });
  await driver.transact(syncDocument(plans));
  await verifyCounts(driver, plans.flatMap((x) => x.verify));
  t.deepEqual(byName(await kernel()), byName(expected(feedB, [64, 48])));

  t.true(await matched(feedB.at(-1)!.replace('/44', '').replace(/::$/, '::9:1'), b), 'inside the /44 that came (interval set)');
  t.true(await matched(prefixes(16n << 88n, 48, 3)[2]!.replace('::/48', ':abcd::1'), b), 'inside a /48 that stayed (masked)');
  t.false(await matched(feedA[2000]!.replace('::/48', ':abcd::1'), b), 'inside the /48 that left');
  t.false(await matched(feedA[0]!, b), 'a single that left');
  t.true(await matched(singles(20, 7)[3]!, b), 'a single that came');
  t.true(await matched('2001:db8:5::1:0', b), 'inside the unaligned range');
  t.false(await matched('2001:db8:5::1:3', b), 'just past the range');
});
