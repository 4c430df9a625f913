import test from 'ava';
import fc from 'fast-check';
import { exactChange, GroupContents, patchContent, patchContentChange, patchSorted } from '../../../firmware/src/blocklist/groupContent.js';
import { diffU32, packRanges, splitPacked, unionPacked, type PackedRanges } from '../../../firmware/src/blocklist/packed.js';
import { MASKED_MIN_PREFIXES } from '../../../firmware/src/blocklist/prefixSets.js';
import type { IpRange } from '../../../firmware/src/net/ip.js';

// ranges in a small space, so that a change often joins, splits or re-cuts neighbours
const arbRange = fc.tuple(fc.integer({ min: 0, max: 1 << 16 }), fc.integer({ min: 0, max: 600 })).map(([a, n]): IpRange => ({
  family: 4, first: BigInt(0x0a000000 + a), last: BigInt(0x0a000000 + a + n),
}));
/** Enough /24s that the length gets a masked hash set. */
const many24 = Array.from({ length: MASKED_MIN_PREFIXES + 2 }, (_, i): IpRange => ({ family: 4, first: BigInt(0x0b000000 + i * 512), last: BigInt(0x0b000000 + i * 512 + 255) }));

test('property: a content patched from the change of the ranges is the content cut from scratch', (t) => {
  let patched = 0;
  fc.assert(fc.property(fc.array(arbRange, { minLength: 100, maxLength: 200 }), fc.integer({ min: 0, max: 6 }), fc.array(arbRange, { maxLength: 6 }), fc.boolean(),
    (base, drop, extra, with24) => {
      const prev = packRanges([...base, ...(with24 ? many24 : [])]);
      const next = packRanges([...base.slice(drop), ...extra, ...(with24 ? many24.slice(drop) : [])]);
      const got = patchContent(prev, splitPacked(prev), next);
      if (got) patched++;
      t.deepEqual(got ?? splitPacked(next), splitPacked(next));
    }), { numRuns: 300 });
  t.true(patched > 100, `most small changes are patched (${patched} of 300)`);
});

test('property: the change a patch reports is exactly the difference of the IPv4 hash sets', (t) => {
  let withChange = 0;
  fc.assert(fc.property(fc.array(arbRange, { minLength: 100, maxLength: 200 }), fc.integer({ min: 0, max: 6 }), fc.array(arbRange, { maxLength: 6 }), fc.boolean(),
    (base, drop, extra, with24) => {
      const prev = packRanges([...base, ...(with24 ? many24 : [])]);
      const next = packRanges([...base.slice(drop), ...extra, ...(with24 ? many24.slice(drop) : [])]);
      const from = splitPacked(prev);
      const c = patchContentChange(prev, from, next);
      if (!c) return;
      withChange++;
      t.is(c.from, from);
      t.deepEqual(c.singles, diffU32(from.v4Singles, c.to.v4Singles));
      t.is(c.masked.length, c.to.v4Masked.length);
      c.masked.forEach((d, k) => t.deepEqual(d, diffU32(from.v4Masked[k]!.nets, c.to.v4Masked[k]!.nets)));
    }), { numRuns: 300 });
  t.true(withChange > 100, `most small changes are patched (${withChange} of 300)`);
});

test('exactChange drops what left and came back', (t) => {
  const u = (...xs: number[]): Uint32Array => Uint32Array.from(xs);
  t.deepEqual(exactChange(u(1, 3, 5), u(3, 4)), { del: u(1, 5), add: u(4) });
  const del = u(1, 2);
  const add = u(7);
  t.is(exactChange(del, add).del, del, 'nothing common: the inputs as they are');
});

test('patchContent cuts whole when the masked lengths change or the change is large', (t) => {
  const prev = packRanges(many24);
  // one /24 fewer than the threshold: the length loses its hash set
  const next = packRanges(many24.slice(0, MASKED_MIN_PREFIXES - 1));
  t.is(patchContent(prev, splitPacked(prev), next), null);
  t.is(patchContent(prev, splitPacked(prev), packRanges([])), null);
});

test('patchSorted deletes and adds; a prefix deleted and added again stays; a missing one is refused', (t) => {
  const u = (...xs: number[]): Uint32Array => Uint32Array.from(xs);
  t.deepEqual(patchSorted(u(1, 3, 5, 7, 9), u(3, 9), u(0, 4, 10)), u(0, 1, 4, 5, 7, 10));
  t.deepEqual(patchSorted(u(1, 3, 5), u(3), u(3)), u(1, 3, 5));
  t.deepEqual(patchSorted(u(), u(), u(2, 4)), u(2, 4));
  t.is(patchSorted(u(1, 3), u(2), u()), null, 'deleting what is not there');
  t.is(patchSorted(u(1, 3), u(), u(3)), null, 'adding what is there');
});

test('GroupContents: the same feed lists cost nothing; a changed feed gives the content of the new union', (t) => {
  const contents = new GroupContents();
  const a = packRanges([...many24, { family: 4, first: 0x0c000001n, last: 0x0c000001n }]);
  const b = packRanges([{ family: 4, first: 0x0d000000n, last: 0x0d0000ffn }, { family: 6, first: 0x20010db8n << 96n, last: 0x20010db8n << 96n }]);
  const first = contents.content('g', [a, b]);
  t.deepEqual(first, splitPacked(unionPacked([a, b])));
  t.is(contents.content('g', [a, b]), first, 'same lists: the same object');
  const a2: PackedRanges = packRanges([...many24.slice(1), { family: 4, first: 0x0c000002n, last: 0x0c000003n }]);
  t.deepEqual(contents.content('g', [a2, b]), splitPacked(unionPacked([a2, b])));
  t.is(contents.change('g')?.from, first, 'patched from the content before');
  t.is(contents.change('g')?.to, contents.content('g', [a2, b]));
  t.deepEqual(contents.content('g', []), splitPacked(packRanges([])));
  t.is(contents.change('g'), null, 'cut whole: no change to hand over');
});
