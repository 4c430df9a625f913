// A sync that declares a set again at a new size (its count crossed a size, nft/policy.ts
// hashSetSize) and that the kernel refuses, because the ruleset changed behind utmd's back (a
// technician's `nft delete table`, another tool's `nft flush ruleset`): the fallback full apply
// must bring back every set with the new list at its new size, and the next refresh across a
// size syncs again by itself. Real nft in a namespace this test makes and removes.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BasePolicySchema } from '../../../firmware/src/nft/policy.js';
import { oneFeedNamespace } from '../../helpers/oneFeed.js';
import { bootOneFeedNft } from '../../helpers/oneFeedNft.js';
import { run } from '../../../firmware/src/sys/run.js';

const ROOT = join(import.meta.dirname, '../../..');
const base = BasePolicySchema.parse(JSON.parse(readFileSync(join(ROOT, 'rules/base-policy.json'), 'utf8')));

/** `n` addresses of 203.0.0.0/16, every other one (never merged into a prefix), one per line. */
const body = (n: number): string => Array.from({ length: n }, (_, i) => `203.0.${(i >> 7) & 255}.${(i & 127) * 2}\n`).join('');

test('a resize the kernel refuses (the table deleted behind utmd) ends in a full apply with the new list at its new size', async (t) => {
  const { ns, stateDir } = await oneFeedNamespace(t, 'utm-resize-');
  const { world, nftArgv, feature, warnings, group, fullApplies } = await bootOneFeedNft(t, ns, stateDir, body(3));
  const { feed } = world;
  const singles = `bl_${group}_v4`;
  /** The singles set's declared size and element count, as the kernel reports them. */
  const kernelSet = async (): Promise<{ size: number | undefined; count: number }> => {
    const out = JSON.parse((await run([...nftArgv, '-j', 'list', 'set', 'inet', base.tableName, singles])).stdout) as { nftables: Array<{ set?: { size?: number; elem?: unknown[] } }> };
    const set = out.nftables.find((o) => o.set)?.set;
    return { size: set?.size, count: set?.elem?.length ?? 0 };
  };
  const refresh = async (): Promise<void> => {
    const [r] = await feature.refresh();
    t.is(r?.result, 'loaded', JSON.stringify(r));
  };

  await refresh();
  t.deepEqual(await kernelSet(), { size: 768, count: 3 });
  // (the first download from a feed server re-applies the ruleset once, to protect that server)
  const before = fullApplies();

  // behind utmd's back: the whole table goes; the next list crosses a size (768 → 1536)
  await run([...nftArgv, 'delete', 'table', 'inet', base.tableName]);
  feed.body = body(1000);
  await refresh();
  t.is(fullApplies(), before + 1, 'the refused sync was followed by one full apply');
  t.true(warnings.some((w) => /incremental set update failed/.test(w)), 'the refusal is logged');
  t.deepEqual(await kernelSet(), { size: 1536, count: 1000 }, 'the full apply declared the new size and loaded the new list');
  t.is(feature.usable.get('lab-c2'), 1000);

  // and the next crossing (back down to 768) is a sync again, not another full apply
  feed.body = body(600); // a 40% shrink: within the feed's guard
  await refresh();
  t.is(fullApplies(), before + 1);
  t.deepEqual(await kernelSet(), { size: 768, count: 600 });
  const probe = await run([...nftArgv, 'get', 'element', 'inet', base.tableName, singles, '{ 203.0.0.18 }'], { allowFailure: true });
  t.is(probe.code, 0, 'an address of the list is in the set');
});
