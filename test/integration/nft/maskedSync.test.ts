// The masked-hash layout against the real kernel (issue 14), in a namespace this test creates
// and removes: a full apply renders a feed group's masked sets; incremental syncs then add a
// prefix length (new set, lookup chains rewritten), change prefixes by difference (also in
// the interval set of rare lengths), and drop a length (set deleted after its rules), each as
// one transaction; and a set whose count outgrows its declared size is declared again in the
// sync (and back down). What is checked is what the kernel holds and which addresses it matches.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { run } from '../../../firmware/src/sys/run.js';
import { nftNamespace } from '../../helpers/nsDriver.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { BasePolicySchema, type Policy } from '../../../firmware/src/nft/policy.js';
import { toBlocklistGroup, type GroupLayout } from '../../../firmware/src/blocklist/layout.js';
import { packRanges, splitPacked, type SetContent } from '../../../firmware/src/blocklist/packed.js';
import { planSync, syncDocument, verifyCounts } from '../../../firmware/src/blocklist/nftSync.js';
import { parseEntry, type IpRange } from '../../../firmware/src/net/ip.js';

const base = BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8')));
const router = (): Policy => ({ ...JSON.parse(readFileSync(new URL('../../fixtures/nft/policy-router.json', import.meta.url), 'utf8')), base }) as Policy;
const layout: GroupLayout = { id: 'fbothdrop', direction: 'both', action: 'drop', feedIds: ['f'] };

/** `n` prefixes of length `len` from `start`, every other block (never merged). */
const prefixes = (start: string, len: number, n: number): IpRange[] => {
  const s = Number(parseEntry(start).first);
  return Array.from({ length: n }, (_, i) => {
    const first = s + i * 2 * 2 ** (32 - len);
    return { family: 4, first: BigInt(first), last: BigInt(first + 2 ** (32 - len) - 1) };
  });
};
const content = (rs: IpRange[]): SetContent => splitPacked(packRanges(rs));

test('a length comes and goes, prefixes change by difference: one transaction each, the kernel matches exactly the list', async (t) => {
  const { nft, driver } = await nftNamespace(t, 'utm-msk');
  /** Whether the group's sets match an address, by asking each set as the rules do. */
  const listed = async (c: SetContent, addr: string): Promise<boolean> => {
    const v = Number(parseEntry(addr).first);
    const names = ['bl_fbothdrop_v4', ...c.v4Masked.map((m) => `bl_fbothdrop_v4_p${m.len}`), 'bl_fbothdrop_v4n'];
    const lens = [32, ...c.v4Masked.map((m) => m.len), 0];
    for (const [i, name] of names.entries()) {
      const len = lens[i]!;
      const key = len === 0 ? addr : [v - (v % 2 ** (32 - len))].map((x) => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`)[0]!;
      const r = await run([...nft, 'get', 'element', 'inet', 'utm', name, `{ ${key} }`], { allowFailure: true });
      if (r.code === 0) return true;
    }
    return false;
  };

  const a = content([...prefixes('11.0.0.0', 24, 100), ...prefixes('13.0.0.0', 26, 3), parseEntry('198.51.100.7')]);
  t.deepEqual(a.v4Masked.map((m) => m.len), [24]);
  const p = router();
  p.blocklists.push(toBlocklistGroup(layout, a));
  await driver.apply(renderRuleset(p));

  const sync = async (from: SetContent, to: SetContent): Promise<void> => {
    const { plans } = planSync('utm', new Map([['fbothdrop', from]]), new Map([['fbothdrop', to]]), [layout]);
    await driver.transact(syncDocument(plans));
    await verifyCounts(driver, plans.flatMap((x) => x.verify));
  };
  // a new length (/20) arrives, one /24 and one /26 leave, a /27 comes (rare: interval set)
  const b = content([...prefixes('11.0.2.0', 24, 99), ...prefixes('12.0.0.0', 20, 70), ...prefixes('13.0.0.64', 26, 2), ...prefixes('14.0.0.0', 27, 1), parseEntry('198.51.100.7')]);
  t.deepEqual(b.v4Masked.map((m) => m.len), [24, 20]);
  await sync(a, b);
  const text = (await run([...nft, 'list', 'chain', 'inet', 'utm', 'bl_fbothdrop_out_v4'])).stdout;
  t.regex(text, /ip daddr & 255\.255\.240\.0 == @bl_fbothdrop_v4_p20 jump bl_fbothdrop_out/);
  t.true(await listed(b, '12.0.15.200'), 'inside a new /20');
  t.false(await listed(b, '12.0.16.1'), 'the block beside it');
  t.false(await listed(b, '11.0.0.9'), 'the /24 that left');
  t.true(await listed(b, '11.0.2.9'));
  t.true(await listed(b, '14.0.0.31'), 'the /27 in the interval set');
  t.false(await listed(b, '13.0.0.1'), 'the /26 that left the interval set');

  // the /24s all leave: their set goes, after the rules that used it
  const c = content([...prefixes('12.0.0.0', 20, 70), parseEntry('198.51.100.7')]);
  await sync(b, c);
  const setNames = async (): Promise<string[]> => [...(await run([...nft, 'list', 'sets', 'inet'])).stdout.matchAll(/set (\S+) \{/g)].map((m) => m[1]!).sort();
  const sets = await setNames();
  t.false(sets.includes('bl_fbothdrop_v4_p24'));
  t.true(sets.includes('bl_fbothdrop_v4_p20'));
  const p20 = (await run([...nft, 'list', 'set', 'inet', 'utm', 'bl_fbothdrop_v4_p20'])).stdout;
  t.false(await listed(c, '11.0.2.9'));
  t.true(await listed(c, '198.51.100.7'));
  // a full apply of the same content renders the same sets: nothing left behind
  const q = router();
  q.blocklists.push(toBlocklistGroup(layout, c));
  await driver.apply(renderRuleset(q));
  t.deepEqual(await setNames(), sets);
  t.is((await run([...nft, 'list', 'set', 'inet', 'utm', 'bl_fbothdrop_v4_p20'])).stdout, p20);
});

test('sizes: a count that outgrows its hash set declares the set again in the sync transaction (the kernel refuses an element past the size), and back down; a full apply declares the same', async (t) => {
  const { nft, driver } = await nftNamespace(t, 'utm-msz');
  const singles = (n: number): IpRange[] => Array.from({ length: n }, (_, i) => parseEntry(`203.0.${(i >> 7) & 255}.${(i & 127) * 2}`)); // every other address: never merged
  const sizes = async (): Promise<Record<string, number>> => {
    const out = JSON.parse((await run([...nft, '-j', 'list', 'sets', 'inet'])).stdout) as { nftables: Array<{ set?: { name: string; size?: number } }> };
    return Object.fromEntries(out.nftables.flatMap((o) => (o.set?.name.startsWith('bl_fbothdrop_v4') && o.set.size ? [[o.set.name, o.set.size]] : [])));
  };
  const count = async (set: string): Promise<number> => ((await run([...nft, 'list', 'set', 'inet', 'utm', set])).stdout.match(/\d+\.\d+\.\d+\.\d+/g) ?? []).length;

  const small = content([...singles(10), ...prefixes('11.0.0.0', 24, 100)]);
  const p = router();
  p.blocklists.push(toBlocklistGroup(layout, small));
  await driver.apply(renderRuleset(p));
  t.deepEqual(await sizes(), { bl_fbothdrop_v4: 768, bl_fbothdrop_v4_p24: 768 });
  // the cap is real: the 769th element of a set declared with 768 is refused
  const over = Array.from({ length: 800 }, (_, i) => `"198.18.${i >> 8}.${i & 255}"`).join(',');
  await t.throwsAsync(driver.transact(Buffer.from(`{"nftables":[{"add":{"element":{"family":"inet","table":"utm","name":"bl_fbothdrop_v4","elem":[${over}]}}}]}`)));
  t.is(await count('bl_fbothdrop_v4'), 10, 'nothing of the refused transaction');

  const sync = async (from: SetContent, to: SetContent): Promise<void> => {
    const { plans } = planSync('utm', new Map([['fbothdrop', from]]), new Map([['fbothdrop', to]]), [layout]);
    await driver.transact(syncDocument(plans));
    await verifyCounts(driver, plans.flatMap((x) => x.verify));
  };
  const big = content([...singles(2000), ...prefixes('11.0.0.0', 24, 900)]);
  await sync(small, big);
  t.deepEqual(await sizes(), { bl_fbothdrop_v4: 3072, bl_fbothdrop_v4_p24: 1536 });
  t.is(await count('bl_fbothdrop_v4'), 2000);
  t.is(await count('bl_fbothdrop_v4_p24'), 900);
  const rules = (await run([...nft, 'list', 'chain', 'inet', 'utm', 'bl_fbothdrop_in_v4'])).stdout;
  t.regex(rules, /ip saddr @bl_fbothdrop_v4 jump/);
  t.regex(rules, /ip saddr & 255\.255\.255\.0 == @bl_fbothdrop_v4_p24 jump/);
  await sync(big, small);
  t.deepEqual(await sizes(), { bl_fbothdrop_v4: 768, bl_fbothdrop_v4_p24: 768 });
  t.is(await count('bl_fbothdrop_v4'), 10);
  // a full apply of the big content declares what the sync declared
  const q = router();
  q.blocklists.push(toBlocklistGroup(layout, big));
  await driver.apply(renderRuleset(q));
  t.deepEqual(await sizes(), { bl_fbothdrop_v4: 3072, bl_fbothdrop_v4_p24: 1536 });
});

test('upgrade: feed sets an older firmware declared without a size take a sync, and the next full apply (utmd makes one at every start) declares their sizes', async (t) => {
  const { nft, driver } = await nftNamespace(t, 'utm-mup');
  const sizes = async (): Promise<Record<string, number | null>> => {
    const out = JSON.parse((await run([...nft, '-j', 'list', 'sets', 'inet'])).stdout) as { nftables: Array<{ set?: { name: string; size?: number } }> };
    return Object.fromEntries(out.nftables.flatMap((o) => (o.set?.name.startsWith('bl_fbothdrop_v4') ? [[o.set.name, o.set.size ?? null]] : [])));
  };
  const a = content([...prefixes('11.0.0.0', 24, 100), parseEntry('198.51.100.7')]);
  const p = router();
  p.blocklists.push(toBlocklistGroup(layout, a));
  // the document as the firmware before sized sets rendered it: the same, without `size`
  const old = renderRuleset(p);
  for (const c of old.nftables) delete ((c as { add?: { set?: { size?: number } } }).add?.set ?? {}).size;
  await driver.apply(old);
  t.deepEqual(await sizes(), { bl_fbothdrop_v4: null, bl_fbothdrop_v4_p24: null, bl_fbothdrop_v4n: null });
  // a sync within the same size class adds into the unsized sets (no cap to refuse it)
  const b = content([...prefixes('11.0.0.0', 24, 120), parseEntry('198.51.100.7'), parseEntry('198.51.100.9')]);
  const { plans } = planSync('utm', new Map([['fbothdrop', a]]), new Map([['fbothdrop', b]]), [layout]);
  await driver.transact(syncDocument(plans));
  await verifyCounts(driver, plans.flatMap((x) => x.verify));
  // utmd's start: a full apply of the current content declares the sizes
  const q = router();
  q.blocklists.push(toBlocklistGroup(layout, b));
  await driver.apply(renderRuleset(q));
  t.deepEqual(await sizes(), { bl_fbothdrop_v4: 768, bl_fbothdrop_v4_p24: 768, bl_fbothdrop_v4n: null });
  t.is(((await run([...nft, 'list', 'set', 'inet', 'utm', 'bl_fbothdrop_v4_p24'])).stdout.match(/\d+\.\d+\.\d+\.\d+/g) ?? []).length, 120);
});
