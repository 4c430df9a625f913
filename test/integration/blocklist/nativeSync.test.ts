// A small blocklist update goes to the kernel in nft's own syntax through the long-lived nft
// (`include "FILE"`: nft/driver.ts transactNative, blocklist/nftSync.ts native): against the
// real kernel in a namespace this test makes and removes, the sets then hold exactly what the
// JSON document would have given (IPv4 and IPv6 singles, an interval set with a prefix and a
// range), a batch nft refuses changes nothing and says why, and no document is left behind;
// when no dir takes the batch's file (both full) nothing is sent and the JSON line still works.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../../firmware/src/sys/run.js';
import { NftDriver, NftError } from '../../../firmware/src/nft/driver.js';
import { nativeDocument, planGroupSync, syncDocument } from '../../../firmware/src/blocklist/nftSync.js';
import { emptyContent, type SetContent } from '../../../firmware/src/blocklist/prefixSets.js';
import { blocklistSetNames } from '../../../firmware/src/nft/policy.js';
import { parseEntry, type IpRange } from '../../../firmware/src/net/ip.js';
import { putV6BigInt } from '../../../firmware/src/net/ip6Numbers.js';

const G = { id: 'g', dirs: ['out', 'in'] as const };
const v4 = (a: string): number => Number(parseEntry(a).first);
function v6(addrs: string[]): Uint32Array {
  const out = new Uint32Array(addrs.length * 4);
  addrs.forEach((a, i) => putV6BigInt(parseEntry(a).first, out, 4 * i));
  return out;
}
const net = (text: string): IpRange => parseEntry(text);
const range = (a: string, b: string): IpRange => ({ family: 4, first: parseEntry(a).first, last: parseEntry(b).first });

const singles = Array.from({ length: 100 }, (_, i) => `192.0.2.${i + 1}`);
const v6Singles = Array.from({ length: 20 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
const nets = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/28', '198.51.100.32/28', '198.51.100.64/28'];
const A: SetContent = {
  ...emptyContent(),
  v4Singles: Uint32Array.from(singles.map(v4)),
  v4Nets: [...nets.map(net), range('203.0.113.10', '203.0.113.20')],
  v6Singles: v6(v6Singles),
  v6Nets: ['1', '3', '5', '9', 'b'].map((x) => net(`2001:db8:${x}::/48`)),
};
// the 1% update's shape: a few elements go, a few come, in every set (a prefix and a range in the interval set)
const B: SetContent = {
  ...emptyContent(),
  v4Singles: Uint32Array.from([...singles.slice(1), '192.0.2.200'].map(v4)),
  v4Nets: [...nets.slice(0, 7).map(net), net('198.51.100.128/25'), range('203.0.113.10', '203.0.113.25')],
  v6Singles: v6([...v6Singles.slice(1), '2001:db8::ff']),
  v6Nets: ['1', '3', '7', '9', 'b'].map((x) => net(`2001:db8:${x}::/48`)),
};

async function withNs(t: ExecutionContext, fn: (ns: string, driver: NftDriver, dir: string) => Promise<void>): Promise<void> {
  const ns = `utm-nat-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'utm-nat-'));
  await run(['ip', 'netns', 'add', ns]);
  const driver = new NftDriver({ nft: ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'], lastGoodPath: join(dir, 'last-good.json'), workDir: dir, tableName: 'utm' });
  t.teardown(async () => {
    await driver.close();
    await run(['ip', 'netns', 'del', ns], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });
  // the group's sets as utmd's apply declares them (empty, the hash sets at their least size)
  const n4 = blocklistSetNames('g', 4);
  const n6 = blocklistSetNames('g', 6);
  await run(['ip', 'netns', 'exec', ns, '/usr/sbin/nft', [
    'add table inet utm',
    `add set inet utm ${n4.single} { type ipv4_addr; size 768; }`,
    `add set inet utm ${n4.net} { type ipv4_addr; flags interval; }`,
    `add set inet utm ${n6.single} { type ipv6_addr; size 768; }`,
    `add set inet utm ${n6.net} { type ipv6_addr; flags interval; }`,
  ].join('; ')]);
  await fn(ns, driver, dir);
}

/** Every set of the group as `nft list set` prints its elements. */
async function sets(ns: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of ['bl_g_v4', 'bl_g_v4n', 'bl_g_v6', 'bl_g_v6n']) {
    const json = (await run(['ip', 'netns', 'exec', ns, '/usr/sbin/nft', '-j', 'list', 'set', 'inet', 'utm', name])).stdout;
    const set = (JSON.parse(json) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables.find((x) => x.set)?.set;
    out[name] = (set?.elem ?? []).map((e) => JSON.stringify(e)).sort();
  }
  return out;
}

test('an update of element changes only goes as nft\'s own syntax, and the kernel holds what the JSON would have given', async (t) => {
  await withNs(t, async (ns, driver, dir) => {
    // the first load (flush and refill) has no native form: JSON, as before
    const first = planGroupSync('utm', G, emptyContent(), A);
    t.is(first.native, null);
    await driver.transact(syncDocument([first]));
    const update = planGroupSync('utm', G, A, B);
    const text = nativeDocument([update]);
    t.truthy(text);
    t.log(text);
    t.true(await driver.transactNative(text ?? ''), 'it went through the session');
    const viaNative = await sets(ns);

    // the same update as JSON, from the same start, in a second namespace
    await withNs(t, async (ns2, d2) => {
      await d2.transact(syncDocument([planGroupSync('utm', G, emptyContent(), A)]));
      await d2.transact(syncDocument([planGroupSync('utm', G, A, B)]));
      t.deepEqual(viaNative, await sets(ns2));
    });
    t.true(viaNative.bl_g_v4?.includes('"192.0.2.200"') && !viaNative.bl_g_v4.includes('"192.0.2.1"'));
    t.is(viaNative.bl_g_v4?.length, 100);
    t.deepEqual(readdirSync(dir).filter((f) => f.startsWith('nft-')), [], 'no document left behind');
  });
});

test('a native batch nft refuses changes nothing, and nft\'s reason reaches the caller', async (t) => {
  await withNs(t, async (ns, driver) => {
    await driver.transact(syncDocument([planGroupSync('utm', G, emptyContent(), A)]));
    const text = nativeDocument([planGroupSync('utm', G, A, B)]) ?? '';
    await driver.transactNative(text);
    const after = await sets(ns);
    // the same batch again: its deletes would still apply, its creates fail (already there)
    const e = await t.throwsAsync(driver.transactNative(text), { instanceOf: NftError });
    t.regex(e?.stderr ?? '', /File exists|No such file|does not exist/);
    t.deepEqual(await sets(ns), after, 'all of it or nothing');
    // and the session goes on with the next batch
    t.true(await driver.transactNative(nativeDocument([planGroupSync('utm', G, B, A)]) ?? ''));
    t.true((await sets(ns)).bl_g_v4?.includes('"192.0.2.1"'));
  });
});

test('a work dir whose path include would not take as it is: nothing is done, and the caller sends its JSON', async (t) => {
  await withNs(t, async (ns) => {
    const odd = mkdtempSync(join(tmpdir(), 'utm nat "odd" '));
    const driver = new NftDriver({ nft: ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'], lastGoodPath: join(odd, 'last-good.json'), workDir: odd, tableName: 'utm' });
    t.teardown(async () => {
      await driver.close();
      rmSync(odd, { recursive: true, force: true });
    });
    await driver.transact(syncDocument([planGroupSync('utm', G, emptyContent(), A)]));
    const before = await sets(ns);
    t.false(await driver.transactNative(nativeDocument([planGroupSync('utm', G, A, B)]) ?? ''));
    t.deepEqual(await sets(ns), before);
    t.deepEqual(readdirSync(odd), []);
  });
});

test('no dir takes the batch\'s file (runtime and state dir full): nothing is done, and the same update as a JSON line still gets there', async (t) => {
  await withNs(t, async (ns) => {
    const root = mkdtempSync(join(tmpdir(), 'utm-natfull-'));
    const full = join(root, 'full');
    mkdirSync(full);
    await run(['mount', '-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'utm-test-natfull', full]);
    const driver = new NftDriver({ nft: ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'], lastGoodPath: join(full, 'state', 'last-good.json'), workDir: full, tableName: 'utm' });
    t.teardown(async () => {
      await driver.close();
      await run(['umount', '-l', full], { allowFailure: true });
      rmSync(root, { recursive: true, force: true });
    });
    mkdirSync(join(full, 'state'));
    // the first load before the disk filled
    await driver.transact(syncDocument([planGroupSync('utm', G, emptyContent(), A)]));
    writeFileSync(join(full, 'filler'), Buffer.alloc(60 * 1024));
    await run(['dd', 'if=/dev/zero', `of=${join(full, 'filler2')}`, 'bs=4k', 'count=64'], { allowFailure: true }); // the rest, to ENOSPC
    const before = await sets(ns);
    const update = planGroupSync('utm', G, A, B);
    t.false(await driver.transactNative(nativeDocument([update]) ?? ''), 'no file could be written: not sent');
    t.deepEqual(await sets(ns), before, 'and nothing changed');
    await driver.transact(syncDocument([update])); // a small document: one line to the session, no file
    const want = await withNsSets(t, [A, B]);
    t.deepEqual(await sets(ns), want, 'the JSON line gave the update');
    t.deepEqual(readdirSync(full).filter((f) => f.startsWith('nft-')), [], 'no part of a document left behind');
  });
});

/** The sets a fresh namespace holds after these contents were synced one after another (JSON). */
async function withNsSets(t: ExecutionContext, steps: SetContent[]): Promise<Record<string, string[]>> {
  let got: Record<string, string[]> = {};
  await withNs(t, async (ns, d) => {
    let prev = emptyContent();
    for (const next of steps) {
      await d.transact(syncDocument([planGroupSync('utm', G, prev, next)]));
      prev = next;
    }
    got = await sets(ns);
  });
  return got;
}
