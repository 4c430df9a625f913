// Real public blocklists (test/fixtures/feeds/real: Spamhaus DROP, ET block, FireHOL level1)
// against the real kernel, in a namespace this test creates and removes: a full apply of DROP,
// then a sync to ET block (a near-duplicate list five weeks older: a real-sized churn, by
// difference), then a sync to FireHOL level1 (eight masked lengths, the cap, 12,515 singles:
// sets declared again at their new sizes, lookup chains rewritten). At each step every element
// the kernel holds, set by set, is what the layout put there, the kernel's whole list is the
// bigint reference's, and lookups of addresses inside and outside behave.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { run } from '../../../firmware/src/sys/run.js';
import { nftNamespace } from '../../helpers/nsDriver.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';
import { toBlocklistGroup, type GroupLayout } from '../../../firmware/src/blocklist/layout.js';
import { planSync, syncDocument, verifyCounts } from '../../../firmware/src/blocklist/nftSync.js';
import type { SetContent } from '../../../firmware/src/blocklist/prefixSets.js';
import { formatAddress, parseEntry, type IpRange } from '../../../firmware/src/net/ip.js';
import { prefixesOf, realFeed, referenceRead, refreshRead } from '../../helpers/realFeeds.js';

const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const router = (): Policy => ({ ...JSON.parse(readFileSync(new URL('../../fixtures/nft/policy-router.json', import.meta.url), 'utf8')), base }) as Policy;
const layout: GroupLayout = { id: 'fbothdrop', direction: 'both', action: 'drop', feedIds: ['f'] };
const SET = 'bl_fbothdrop_v4';

type NftElem = string | { prefix: { addr: string; len: number } } | { range: [string, string] };

test('real lists load, sync by difference to another real list and to one of eight masked lengths: the kernel holds exactly each', async (t) => {
  const { nft, driver } = await nftNamespace(t, 'utm-real');
  /** The group's IPv4 sets as the kernel holds them: element count per set, and every element as a range. */
  const kernel = async (): Promise<{ counts: Record<string, number>; ranges: IpRange[] }> => {
    const doc = JSON.parse((await run([...nft, '-j', 'list', 'table', 'inet', 'utm'])).stdout) as { nftables: Array<{ set?: { name: string; elem?: NftElem[] } }> };
    const counts: Record<string, number> = {};
    const ranges: IpRange[] = [];
    for (const s of doc.nftables.flatMap((o) => (o.set?.name.startsWith(SET) ? [o.set] : []))) {
      const len = /_p(\d+)$/.exec(s.name)?.[1];
      counts[s.name] = s.elem?.length ?? 0;
      for (const e of s.elem ?? []) {
        if (typeof e === 'string') ranges.push(parseEntry(len ? `${e}/${len}` : e));
        else if ('prefix' in e) ranges.push(parseEntry(`${e.prefix.addr}/${e.prefix.len}`));
        else ranges.push(parseEntry(`${e.range[0]}-${e.range[1]}`));
      }
    }
    return { counts, ranges };
  };
  /** What each set must hold by the layout: its element count. */
  const layoutCounts = (c: SetContent): Record<string, number> => ({
    [SET]: c.v4Singles.length, [`${SET}n`]: c.v4Nets.length, ...Object.fromEntries(c.v4Masked.map((m) => [`${SET}_p${m.len}`, m.nets.length])),
  });
  /** True if the kernel matches `addr` in any of the group's sets (masked sets by the address's network). */
  const matched = async (addr: string, c: SetContent): Promise<boolean> => {
    const v = Number(parseEntry(addr).first);
    const tries: Array<[string, string]> = [[SET, addr], [`${SET}n`, addr],
      ...c.v4Masked.map((m): [string, string] => [`${SET}_p${m.len}`, formatAddress(4, BigInt((v & ~(2 ** (32 - m.len) - 1)) >>> 0))])];
    for (const [set, key] of tries) if ((await run([...nft, 'get', 'element', 'inet', 'utm', set, `{ ${key} }`], { allowFailure: true })).code === 0) return true;
    return false;
  };
  const check = async (name: string, c: SetContent): Promise<void> => {
    const k = await kernel();
    t.deepEqual(k.counts, layoutCounts(c), `${name}: every set holds what the layout put there`);
    t.deepEqual(prefixesOf(k.ranges), referenceRead(realFeed(name).text).prefixes, `${name}: the kernel's list is the reference's`);
  };
  const read = (name: string): SetContent => {
    const r = refreshRead(realFeed(name).text);
    if (!r.outcome.health.ok) throw new Error(`${name} not loadable`);
    return r.content;
  };

  // 1. full apply of Spamhaus DROP (no singles, seven masked lengths, rare lengths in the interval set)
  const drop = read('spamhaus_drop');
  const p = router();
  p.blocklists.push(toBlocklistGroup(layout, drop));
  await driver.apply(renderRuleset(p));
  await check('spamhaus_drop', drop);

  // 2. sync to ET block (DROP of five weeks earlier, and more): by difference, one transaction
  const et = read('et_block');
  const toEt = planSync('utm', new Map([['fbothdrop', drop]]), new Map([['fbothdrop', et]]), [layout]);
  t.true(toEt.total.added > 0 && toEt.total.deleted > 0);
  t.log(`spamhaus_drop → et_block: +${toEt.total.added} −${toEt.total.deleted} elements`);
  await driver.transact(syncDocument(toEt.plans));
  await verifyCounts(driver, toEt.plans.flatMap((x) => x.verify));
  await check('et_block', et);

  // 3. sync to FireHOL level1: singles and an eighth masked length arrive, sets grow past their sizes
  const l1 = read('firehol_level1');
  const toL1 = planSync('utm', new Map([['fbothdrop', et]]), new Map([['fbothdrop', l1]]), [layout]);
  await driver.transact(syncDocument(toL1.plans));
  await verifyCounts(driver, toL1.plans.flatMap((x) => x.verify));
  await check('firehol_level1', l1);

  // lookups, each kind of set, and the bogons level1 lists that the guard refused
  const lines = new Set(realFeed('firehol_level1').text.split('\n'));
  const firstOf = (len: number): string => [...lines].find((l) => l.endsWith(`/${len}`))!.split('/')[0]!;
  t.true(await matched(firstOf(24).replace(/\.0$/, '.77'), l1), 'inside a listed /24 (masked)');
  t.true(await matched(firstOf(16).replace(/\.0\.0$/, '.200.1'), l1), 'inside a listed /16 (masked)');
  t.true(await matched(firstOf(17), l1), 'a listed /17 (interval set)');
  t.true(await matched([...lines].find((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))!, l1), 'a listed single');
  for (const bogon of ['10.1.2.3', '192.168.1.1', '127.0.0.1', '172.16.0.1', '100.64.0.1', '169.254.1.1', '0.0.0.1', '224.0.0.251']) {
    t.false(await matched(bogon, l1), `${bogon}: listed by level1, refused by the guard`);
  }
});
