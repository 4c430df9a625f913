// The IPv6 side of the group content's patch (groupContentV6.ts): a content patched from the
// change of the ranges is the content cut from scratch, and the change it reports is exactly
// the difference of each IPv6 hash set (what the sync planner then sends).
import test from 'ava';
import fc from 'fast-check';
import { patchContentChange } from '../../../firmware/src/blocklist/groupContent.js';
import { exactChangeV6, patchSortedV6 } from '../../../firmware/src/blocklist/groupContentV6.js';
import { packRanges, splitPacked } from '../../../firmware/src/blocklist/packed.js';
import { MASKED_MIN_PREFIXES } from '../../../firmware/src/blocklist/prefixSets.js';
import { diffV6 } from '../../../firmware/src/net/ip6Numbers.js';
import { planGroupSync } from '../../../firmware/src/blocklist/nftSync.js';
import type { IpRange } from '../../../firmware/src/net/ip.js';

const BASE = 0x2a01_0db8n << 96n;
// ranges in a small space (inside one /64), so that a change often joins, splits or re-cuts neighbours
const arbRange = fc.tuple(fc.integer({ min: 0, max: 1 << 16 }), fc.integer({ min: 0, max: 60 })).map(([a, n]): IpRange => ({
  family: 6, first: BASE + BigInt(a), last: BASE + BigInt(a + n),
}));
/** Enough /48s that the length gets a masked hash set. */
const many48 = Array.from({ length: MASKED_MIN_PREFIXES + 2 }, (_, i): IpRange => {
  const first = (0x2a02n << 112n) + (BigInt(2 * i) << 80n);
  return { family: 6, first, last: first + (1n << 80n) - 1n };
});

test('property: an IPv6 content patched from the change of the ranges is the content cut from scratch, and its change the sets\' difference', (t) => {
  let patched = 0;
  fc.assert(fc.property(fc.array(arbRange, { minLength: 100, maxLength: 200 }), fc.integer({ min: 0, max: 6 }), fc.array(arbRange, { maxLength: 6 }), fc.boolean(),
    (base, drop, extra, with48) => {
      const prev = packRanges([...base, ...(with48 ? many48 : [])]);
      const next = packRanges([...base.slice(drop), ...extra, ...(with48 ? many48.slice(drop) : [])]);
      const from = splitPacked(prev);
      const c = patchContentChange(prev, from, next);
      const whole = splitPacked(next);
      if (!c) return;
      t.deepEqual(c.to, whole);
      if (!c.v6) return;
      patched++;
      t.deepEqual(c.v6.singles, diffV6(from.v6Singles, whole.v6Singles));
      t.is(c.v6.masked.length, whole.v6Masked.length);
      c.v6.masked.forEach((d, k) => t.deepEqual(d, diffV6(from.v6Masked[k]!.nets, whole.v6Masked[k]!.nets)));
      // the plan from the known change is the plan from the diff
      const g = { id: 'g', dirs: ['out' as const] };
      const known = planGroupSync('t', g, from, c.to, c);
      const diffed = planGroupSync('t', g, from, c.to, null);
      t.deepEqual([known.cmds, known.native, known.stats], [diffed.cmds, diffed.native, diffed.stats]);
    }), { numRuns: 300 });
  // 128–147 of 300 in runs here (a /48 dropped below the masked threshold, or a large change, cuts whole)
  t.true(patched > 80, `many small changes are patched (${patched} of 300)`);
});

test('a list one range shorter or longer is patched, not cut whole', (t) => {
  const prev = packRanges(many48);
  for (const next of [packRanges(many48.slice(1)), packRanges([...many48, arbRangeAt(7)])]) {
    const c = patchContentChange(prev, splitPacked(prev), next);
    t.truthy(c?.v6, 'patched');
    t.deepEqual(c?.to, splitPacked(next));
  }
});

function arbRangeAt(a: number): IpRange {
  return { family: 6, first: BASE + BigInt(a), last: BASE + BigInt(a) };
}

test('patchSortedV6 refuses what does not fit; exactChangeV6 drops what left and came back', (t) => {
  const w = (...xs: number[]): Uint32Array => Uint32Array.from(xs.flatMap((x) => [0x20010db8, 0, 0, x]));
  t.deepEqual(patchSortedV6(w(1, 3, 5), w(3), w(4)), w(1, 4, 5));
  t.deepEqual(patchSortedV6(w(1, 3, 5), w(3), w(3)), w(1, 3, 5), 'left and came back: stays');
  t.is(patchSortedV6(w(1, 3), w(2), w()), null, 'a deleted address not there');
  t.is(patchSortedV6(w(1, 3), w(), w(3)), null, 'an added address already there');
  t.deepEqual(exactChangeV6(w(1, 3, 5), w(3, 4)), { del: w(1, 5), add: w(4) });
  const del = w(1, 2);
  t.is(exactChangeV6(del, w(7)).del, del, 'nothing common: the inputs as they are');
});

test('an IPv4 change keeps the IPv6 content as it was: the same sets, nothing to send for them', (t) => {
  const v4 = (a: number, n = 0): IpRange => ({ family: 4, first: BigInt(0xc6336400 + a), last: BigInt(0xc6336400 + a + n) });
  const both = [...many48, arbRangeAt(7), arbRangeAt(900)];
  const singles = Array.from({ length: 200 }, (_, i) => v4(1000 + 3 * i));
  const prev = packRanges([...both, ...singles, v4(9), v4(64, 63)]);
  const next = packRanges([...both, ...singles, v4(20), v4(64, 63)]);
  const from = splitPacked(prev);
  const c = patchContentChange(prev, from, next);
  t.truthy(c?.v6, 'patched');
  t.deepEqual(c?.to, splitPacked(next));
  t.is(c?.to.v6Singles, from.v6Singles, 'the very same IPv6 sets');
  t.is(c?.to.v6Masked, from.v6Masked);
  t.is(c?.to.v6Nets, from.v6Nets);
  t.deepEqual(c?.v6?.singles, { del: new Uint32Array(0), add: new Uint32Array(0) });
  const g = { id: 'g', dirs: ['out' as const] };
  const known = planGroupSync('t', g, from, c!.to, c);
  t.deepEqual([known.cmds, known.native, known.stats], (({ cmds, native, stats }) => [cmds, native, stats])(planGroupSync('t', g, from, c!.to, null)));
  t.false(known.native!.some((l) => l.includes('_v6')), 'no IPv6 set in the update');
});
