// Staged loads against the real kernel (blocklist/stagedLoad.ts), in a namespace each test
// makes and removes: a large load fills the group's sets under their other name and one
// transaction points the lookups at them. What must hold: the kernel ends with exactly one
// generation of the group's sets, holding the list; packets to a listed address are dropped
// after every step; a 1% update afterwards stays incremental on the new names; a full apply
// renders the names the kernel has; and a load that fails halfway (a stray set of the other
// name left by an earlier run, the fill refused, the table deleted behind utmd's back) ends
// with the list enforced and nothing of the other generation left. `stageMinElements` is
// lowered so that small lists stage (the default is 20,000 elements).
import test, { type ExecutionContext } from 'ava';
import { NftDriver } from '../../../firmware/src/nft/driver.js';
import { oneFeedNamespace } from '../../helpers/oneFeed.js';
import { bootOneFeedNft } from '../../helpers/oneFeedNft.js';
import { run } from '../../../firmware/src/sys/run.js';
import { addDummy, execInResult, ipIn } from '../../lab/netns.js';

/** `n` single addresses of 203.0.0.0/16 from `from` (every other one: never merged), then
 *  `p` /24 prefixes of 11.0.0.0/16 and one /27 (a rare length: the interval set). */
const body = (n: number, p: number, from = 0): string => [
  ...Array.from({ length: n }, (_, k) => { const i = k + from; return `203.0.${(i >> 7) & 255}.${(i & 127) * 2}`; }),
  ...Array.from({ length: p }, (_, i) => `11.0.${2 * i}.0/24`), // every other one: never merged
  '11.1.200.32/27',
].join('\n');

class FailingFill extends NftDriver {
  failNext = false;
  override async fill(docs: ReadonlyArray<() => Uint8Array | null>, started?: () => void): Promise<void> {
    if (!this.failNext) return super.fill(docs, started);
    this.failNext = false;
    await super.fill(docs.slice(0, 1), started); // one part taken, then the next refused
    throw new Error('the fill was refused (test)');
  }
}

async function box(t: ExecutionContext, first: string) {
  const { ns, stateDir } = await oneFeedNamespace(t, 'utm-staged-');
  const booted = await bootOneFeedNft(t, ns, stateDir, first, { driver: (o) => new FailingFill({ ...o, fillParts: 2 }), feature: { stageMinElements: 100 } });
  const { world, nft, nftArgv, feature, warnings, group, applyFull, fullApplies } = booted;
  // a route out of the namespace into a dummy port (nothing leaves it): the output hook
  // looks every packet the namespace sends up in the blocklist
  await ipIn(ns, ['link', 'set', 'lo', 'up']);
  await addDummy(ns, 'up0');
  await ipIn(ns, ['addr', 'add', '192.0.2.2/24', 'dev', 'up0']);
  await ipIn(ns, ['route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'up0', 'onlink']);
  const table = world.base.tableName;
  const nftOut = async (...args: string[]): Promise<string> => (await run([...nftArgv, ...args])).stdout;
  return {
    ns, nft, nftArgv, feature, world, warnings, group,
    fullApplies,
    applyFull,
    refresh: async (text: string): Promise<void> => {
      world.feed.body = text;
      const [r] = await feature.refresh();
      t.is(r?.result, 'loaded', JSON.stringify(r));
    },
    /** The group's IPv4 sets in the kernel, by name. */
    sets: async (): Promise<string[]> => [...(await nftOut('list', 'sets', 'inet')).matchAll(/set (\S+) \{/g)].map((m) => m[1]!).filter((s) => s.startsWith(`bl_${group}_v4`)).sort(),
    count: async (set: string): Promise<number> => {
      const out = JSON.parse(await nftOut('-j', 'list', 'set', 'inet', table, set)) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
      return out.nftables.find((o) => o.set)?.set?.elem?.length ?? 0;
    },
    lookups: (): Promise<string> => nftOut('list', 'chain', 'inet', table, `bl_${group}_out_v4`),
    /** Whether a UDP datagram to `addr` is dropped by the group (its out counter moves). */
    dropped: async (addr: string): Promise<boolean> => {
      const counter = async (): Promise<number> => Number(/packets (\d+)/.exec(await nftOut('list', 'counter', 'inet', table, `bl_${group}_out`))?.[1] ?? NaN);
      const c0 = await counter();
      await execInResult(ns, ['bash', '-c', `echo x > /dev/udp/${addr}/9`]);
      return (await counter()) > c0;
    },
  };
}

test('a staged load: the other names, one generation left, the list enforced; a 1% update stays on them; a full apply renders them; the next large load goes back', async (t) => {
  const b = await box(t, '192.0.2.200');
  await b.refresh(body(1000, 100));
  const g = b.group;
  t.deepEqual(await b.sets(), [`bl_${g}_v4b`, `bl_${g}_v4b_p24`, `bl_${g}_v4bn`], 'only the new generation is left');
  t.regex(await b.lookups(), new RegExp(`ip daddr @bl_${g}_v4b jump`));
  t.regex(await b.lookups(), new RegExp(`ip daddr & 255\\.255\\.255\\.0 == @bl_${g}_v4b_p24 jump`));
  t.is(await b.count(`bl_${g}_v4b`), 1000, 'both parts of the fill are in');
  t.is(await b.count(`bl_${g}_v4b_p24`), 100);
  t.true(await b.dropped('203.0.3.254'), 'a single of the list');
  t.true(await b.dropped('11.0.78.77'), 'inside a listed /24');
  t.true(await b.dropped('11.1.200.40'), 'inside the /27');
  t.false(await b.dropped('203.0.3.255'), 'the address beside a listed one');

  // a small change: by difference, on the names the kernel has (no flip)
  await b.refresh(body(1000, 100, 10));
  t.deepEqual(await b.sets(), [`bl_${g}_v4b`, `bl_${g}_v4b_p24`, `bl_${g}_v4bn`]);
  t.is(await b.count(`bl_${g}_v4b`), 1000);
  t.false(await b.dropped('203.0.0.0'), 'left the list');
  t.true(await b.dropped(`203.0.7.${(1009 & 127) * 2}`), 'came into the list');

  // a full apply (another feature's change) renders the names the kernel has: the driver's
  // read-back would refuse a drift
  await b.applyFull();
  t.deepEqual(await b.sets(), [`bl_${g}_v4b`, `bl_${g}_v4b_p24`, `bl_${g}_v4bn`]);
  t.is(await b.count(`bl_${g}_v4b`), 1000);

  // the next large load (a size crossed: 1,000 → 3,000 singles, the /24s gone) goes back
  const before = b.fullApplies();
  await b.refresh(body(3000, 0));
  t.is(b.fullApplies(), before, 'a sync, not a full apply');
  t.deepEqual(await b.sets(), [`bl_${g}_v4`, `bl_${g}_v4n`]);
  t.is(await b.count(`bl_${g}_v4`), 3000);
  t.false(await b.dropped('11.0.78.77'), 'the /24s left with their set');
  t.true(await b.dropped('203.0.23.110'));
  t.deepEqual(b.warnings, []);
});

test('a stray set of the other name (an interrupted load), a refused fill, the table deleted behind utmd: each ends with the list enforced and one generation', async (t) => {
  const b = await box(t, '192.0.2.200');
  const g = b.group;
  const { nftArgv } = b;
  const table = b.world.base.tableName;
  // utmd killed in the middle of a load, then started again: its full apply at start replaces
  // every set of the table, so a half-filled set of the other name does not outlive it
  await run([...nftArgv, `add set inet ${table} bl_${g}_v4b_p20 { type ipv4_addr; size 768; }`]);
  await b.applyFull();
  t.deepEqual(await b.sets(), [`bl_${g}_v4`, `bl_${g}_v4n`]);
  // what a load killed after its fill leaves: the other generation's singles set, with an
  // address that is not on the list (and declared with another size)
  await run([...nftArgv, `add set inet ${table} bl_${g}_v4b { type ipv4_addr; size 64; }`]);
  await run([...nftArgv, `add element inet ${table} bl_${g}_v4b { 192.0.2.77 }`]);
  await b.refresh(body(1000, 100));
  const sets = await b.sets();
  t.is(new Set(sets.map((s) => s.startsWith(`bl_${g}_v4b`))).size, 1, `one generation: ${sets.join(' ')}`);
  t.true(await b.dropped('203.0.3.254'));
  t.false(await b.dropped('192.0.2.77'), 'the stray element is not enforced');

  // the fill refused halfway: the fallback full apply renders the list whole, and the half
  // filled sets go with it
  const gen = (await b.sets())[0]!;
  b.nft.failNext = true;
  const before = b.fullApplies();
  await b.refresh(body(3000, 0));
  t.is(b.fullApplies(), before + 1, 'the refused load was followed by one full apply');
  t.true(b.warnings.some((w) => /incremental set update failed/.test(w)));
  const after = await b.sets();
  t.is(after.length, 2, `singles and interval set of one generation: ${after.join(' ')}`);
  t.true(after.includes(gen), 'the names the kernel had, rendered whole by the full apply');
  t.is(await b.count(gen), 3000);
  t.true(await b.dropped('203.0.23.110'));
  t.false(await b.dropped('11.0.78.77'));

  // the table deleted behind utmd's back: the declare step is refused, the full apply restores
  await run([...nftArgv, 'delete', 'table', 'inet', table]);
  await b.refresh(body(1000, 100));
  t.is(b.fullApplies(), before + 2);
  t.is((await b.sets()).filter((s) => !s.includes('_p') && !s.endsWith('n')).length, 1);
  t.true(await b.dropped('11.0.78.77'));
  t.true(await b.dropped('203.0.3.254'));
});
