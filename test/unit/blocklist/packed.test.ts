import test from 'ava';
import { v6IpRanges } from '../../../firmware/src/blocklist/packedV6.js';
import { v6Texts } from '../../../firmware/src/net/ip6Text.js';
import fc from 'fast-check';
import { commonU32, diffU32, packRanges, packedHasV4, RangePacker, splitPacked, unionPacked, v4Text, type PackedRanges } from '../../../firmware/src/blocklist/packed.js';
import { mergeRanges } from '../../../firmware/src/net/rangeMerge.js';
import { formatRange, parseEntry, type IpRange } from '../../../firmware/src/net/ip.js';

const e = (s: string): IpRange => parseEntry(s);
const v4list = (p: PackedRanges): string[] => Array.from(p.v4First, (f, i) => formatRange({ family: 4, first: BigInt(f), last: BigInt(p.v4Last[i]!) }));

test('packRanges merges like iprange and keeps IPv6 as ranges', (t) => {
  const p = packRanges(['192.0.2.1', '192.0.2.2', '198.51.100.0/24', '192.0.2.2', '2001:db8::1'].map(e));
  t.deepEqual(v4list(p), ['192.0.2.1-192.0.2.2', '198.51.100.0/24']);
  t.deepEqual(v6IpRanges(p).map(formatRange), ['2001:db8::1']);
});

test('splitPacked puts singles in the hash set and a few prefixes in the interval set', (t) => {
  const c = splitPacked(packRanges(['203.0.113.9', '192.0.2.0/24', '2001:db8::5', '2001:db8:1::/64'].map(e)));
  t.deepEqual(Array.from(c.v4Singles, v4Text), ['203.0.113.9']);
  t.deepEqual(c.v4Nets.map(formatRange), ['192.0.2.0/24']);
  t.deepEqual(v6Texts(c.v6Singles), ['2001:db8::5']);
  t.deepEqual(c.v6Nets.map(formatRange), ['2001:db8:1::/64']);
});

test('v4Text formats edge values', (t) => {
  t.is(v4Text(0), '0.0.0.0');
  t.is(v4Text(0xffffffff), '255.255.255.255');
  t.is(v4Text(0xc0000201), '192.0.2.1');
});

const arbV4Range = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 40 })).map(([a, len]): IpRange => ({
  family: 4, first: BigInt(0xc0000000 + a), last: BigInt(0xc0000000 + a + len),
}));

test('property: union of packed lists covers exactly the union of the inputs, minimally', (t) => {
  fc.assert(fc.property(fc.array(fc.array(arbV4Range, { maxLength: 30 }), { maxLength: 4 }), (lists) => {
    const u = unionPacked(lists.map(packRanges));
    const expected = mergeRanges(lists)[4].map(formatRange);
    t.deepEqual(v4list(u), expected);
    for (const l of lists) for (const r of l) t.true(packedHasV4(u, Number(r.first)) && packedHasV4(u, Number(r.last)));
  }));
});

test('property: RangePacker gives the same ranges as packRanges', (t) => {
  fc.assert(fc.property(fc.array(fc.oneof(arbV4Range, arbV4Range.map((r) => ({ ...r, last: r.first }))), { maxLength: 60 }), (rs) => {
    const p = new RangePacker();
    for (const r of rs) p.add(r);
    t.deepEqual(v4list(p.finish()), v4list(packRanges(rs)));
  }));
});

test('property: RangePacker packs singles given in address order (duplicates too) like any other order', (t) => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 80 }), fc.nat(5), (xs, dup) => {
    const sorted = [...xs, ...xs.slice(0, dup)].sort((a, b) => a - b);
    const inOrder = new RangePacker();
    for (const v of sorted) inOrder.addV4(v, v);
    const shuffled = new RangePacker();
    for (const v of [...sorted].reverse()) shuffled.addV4(v, v);
    const want = v4list(packRanges(sorted.map((v) => ({ family: 4, first: BigInt(v), last: BigInt(v) }))));
    t.deepEqual(v4list(inOrder.finish()), want);
    t.deepEqual(v4list(shuffled.finish()), want);
  }));
});

test('property: diffU32 turns prev into next', (t) => {
  const sorted = fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 80 }).map((a) => Uint32Array.from(a.sort((x, y) => x - y)));
  fc.assert(fc.property(sorted, sorted, (prev, next) => {
    const d = diffU32(prev, next);
    const s = new Set(prev);
    for (const x of d.del) t.true(s.delete(x));
    for (const x of d.add) {
      t.false(s.has(x));
      s.add(x);
    }
    t.deepEqual([...s].sort((a, b) => a - b), Array.from(next));
  }));
});

test('property: commonU32 counts what both hold, as diffU32 implies', (t) => {
  const sorted = fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 80 }).map((a) => Uint32Array.from(a.sort((x, y) => x - y)));
  fc.assert(fc.property(sorted, sorted, (a, b) => {
    const common = commonU32(a, b);
    t.is(common, a.length - diffU32(a, b).del.length);
    t.is(commonU32(b, a), common);
  }));
});

test('diffU32 refuses unsorted input', (t) => {
  t.throws(() => diffU32(Uint32Array.from([2, 1]), new Uint32Array(0)), { instanceOf: RangeError });
});
