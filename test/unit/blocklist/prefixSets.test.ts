import test from 'ava';
import fc from 'fast-check';
import { packRanges } from '../../../firmware/src/blocklist/packed.js';
import { countV4, MASKED_MAX_LENGTHS, MASKED_MIN_PREFIXES, maskedLengths, splitPacked, splitV4, type SetContent } from '../../../firmware/src/blocklist/prefixSets.js';
import { forEachCidrV4, netmaskText } from '../../../firmware/src/net/cidrNumbers.js';
import { rangeToCidrs, type IpRange } from '../../../firmware/src/net/ip.js';

/** Every IPv4 address block the content's sets match, as [first, last], sorted. */
function matchedV4(c: SetContent): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const v of c.v4Singles) out.push([v, v]);
  for (const m of c.v4Masked) for (const v of m.nets) out.push([v, v + 2 ** (32 - m.len) - 1]);
  for (const r of c.v4Nets) out.push([Number(r.first), Number(r.last)]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** Adjacent blocks joined: comparable with the packed ranges. */
function joined(xs: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [f, l] of xs) {
    const last = out[out.length - 1];
    if (last && f <= last[1] + 1) last[1] = Math.max(last[1], l);
    else out.push([f, l]);
  }
  return out;
}

const arbRange = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 5000 })).map(([a, n]): IpRange => ({
  family: 4, first: BigInt(a), last: BigInt(Math.min(0xffffffff, a + n)),
}));

test('the sets match exactly the merged ranges, no address more or less, and no block twice', (t) => {
  fc.assert(fc.property(fc.array(arbRange, { maxLength: 300 }), (ranges) => {
    const p = packRanges(ranges);
    const c = splitPacked(p);
    const blocks = matchedV4(c);
    for (let i = 1; i < blocks.length; i++) if (blocks[i]![0] <= blocks[i - 1]![1]) return false; // disjoint
    const want = Array.from(p.v4First, (f, i): [number, number] => [f, p.v4Last[i]!]);
    t.deepEqual(joined(blocks), want);
    for (const m of c.v4Masked) for (let i = 1; i < m.nets.length; i++) if (m.nets[i]! <= m.nets[i - 1]!) return false; // sorted
    return true;
  }));
});

test('forEachCidrV4 cuts a range into the same prefixes as the bigint rangeToCidrs', (t) => {
  // any two addresses too: wide ranges, bit 31 set, the ends of the address space
  const wide = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([a, b]): IpRange => ({ family: 4, first: BigInt(Math.min(a, b)), last: BigInt(Math.max(a, b)) }));
  fc.assert(fc.property(fc.oneof(arbRange, wide), (r) => {
    const got: string[] = [];
    forEachCidrV4(Number(r.first), Number(r.last), (net, len) => got.push(`${net}/${len}`));
    t.deepEqual(got, rangeToCidrs(r).map((c) => `${Number(c.first)}/${c.prefixLen}`));
  }));
  const all: string[] = [];
  forEachCidrV4(0, 0xffffffff, (net, len) => all.push(`${net}/${len}`));
  t.deepEqual(all, ['0/0']);
});

/** Sorted disjoint IPv4 ranges, more than two of countV4's and splitV4's chunks of 4,096: singles,
 *  short ranges and wide ones (many prefix lengths, so rare lengths too), gaps of any size. */
const arbManyRanges = fc.array(fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 200_000 }))), { minLength: 8200, maxLength: 9000 })
  .map((steps) => {
    const first: number[] = [];
    const last: number[] = [];
    let at = 0;
    for (const [gap, span] of steps) {
      const f = at + gap;
      const l = Math.min(0xffffffff, f + span);
      if (f > 0xffffffff) break;
      first.push(f);
      last.push(l);
      at = l + 1;
    }
    return { first: Uint32Array.from(first), last: Uint32Array.from(last) };
  });

test('property: countV4 and splitV4 across their chunks give what one plain walk of forEachCidrV4 gives', (t) => {
  fc.assert(fc.property(arbManyRanges, fc.uniqueArray(fc.integer({ min: 0, max: 31 }), { maxLength: MASKED_MAX_LENGTHS }), ({ first, last }, someLens) => {
    const counts = new Array<number>(33).fill(0);
    const byLen: number[][] = Array.from({ length: 33 }, () => []);
    const order: Array<[number, number]> = [];
    for (let i = 0; i < first.length; i++) {
      forEachCidrV4(first[i]!, last[i]!, (net, len) => { counts[len]!++; byLen[len]!.push(net); order.push([net, len]); });
    }
    const got = countV4(first, last);
    t.deepEqual(Array.from(got), counts);
    for (const lens of [maskedLengths(got, 32), [...someLens].sort((a, b) => b - a)]) {
      const s = splitV4(first, last, lens, got);
      t.deepEqual(Array.from(s.v4Singles), byLen[32]);
      t.deepEqual(s.v4Masked.map((m) => [m.len, Array.from(m.nets)]), lens.map((len) => [len, byLen[len]]));
      t.deepEqual(s.v4Nets, order.filter(([, len]) => len < 32 && !lens.includes(len))
        .map(([net, len]): IpRange => ({ family: 4, first: BigInt(net), last: BigInt(net + 2 ** (32 - len) - 1) })));
    }
  }), { numRuns: 15, endOnFailure: true }); // no shrinking: arrays of 8,000 ranges
});

test('a length gets its own masked hash set from MASKED_MIN_PREFIXES prefixes; fewer stay in the interval set', (t) => {
  const prefixes = (len: number, n: number, base: number): IpRange[] => Array.from({ length: n }, (_, i) => {
    const first = base + i * 2 ** (32 - len) * 2; // every other block: never merged
    return { family: 4, first: BigInt(first), last: BigInt(first + 2 ** (32 - len) - 1) };
  });
  const c = splitPacked(packRanges([...prefixes(24, MASKED_MIN_PREFIXES, 0x0b000000), ...prefixes(20, MASKED_MIN_PREFIXES - 1, 0x0c000000)]));
  t.deepEqual(c.v4Masked.map((m) => [m.len, m.nets.length]), [[24, MASKED_MIN_PREFIXES]]);
  t.is(c.v4Nets.length, MASKED_MIN_PREFIXES - 1);
});

test('at most MASKED_MAX_LENGTHS masked lengths, the most populous, longest first', (t) => {
  const counts = new Array<number>(33).fill(0);
  for (let len = 8; len < 32; len++) counts[len] = 1000 + len; // every length common: ties broken by count
  counts[16] = 5000;
  const lens = maskedLengths(counts, 32);
  t.is(lens.length, MASKED_MAX_LENGTHS);
  t.true(lens.includes(16));
  t.deepEqual(lens, [...lens].sort((a, b) => b - a));
  t.false(lens.includes(32), 'singles have their own set');
});

test('netmask text as nft writes it', (t) => {
  t.is(netmaskText(4, 24), '255.255.255.0');
  t.is(netmaskText(4, 19), '255.255.224.0');
  t.is(netmaskText(6, 48), 'ffff:ffff:ffff::');
  t.throws(() => netmaskText(4, 33), { instanceOf: RangeError });
});
