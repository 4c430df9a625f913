import test from 'ava';
import fc from 'fast-check';
import { addressCount, findRange, intervalText, mergeRanges, splitForNft, type MergedRanges } from '../../../firmware/src/net/rangeMerge.js';
import { formatRange, MAX, parseEntry, rangeHas, type Family, type IpRange } from '../../../firmware/src/net/ip.js';

const e = (s: string): IpRange => parseEntry(s);

test('dedups and aggregates across feeds per family', (t) => {
  const m = mergeRanges([
    ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.1', '198.51.100.7'].map(e),
    ['192.0.2.0/30', '198.51.100.0/25', '198.51.100.128/25', '2001:db8::1', '2001:db8::2'].map(e),
    ['203.0.113.10-203.0.113.20', '203.0.113.15-203.0.113.30', '203.0.113.32', '2001:db8::/127'].map(e),
  ]);
  t.deepEqual(m[4].map(formatRange), ['192.0.2.0/30', '198.51.100.0/24', '203.0.113.10-203.0.113.30', '203.0.113.32']);
  t.deepEqual(m[6].map(formatRange), ['2001:db8::-2001:db8::2']);
  t.is(addressCount(m[4]), 4n + 256n + 21n + 1n);
});

test('empty input and edge addresses', (t) => {
  t.deepEqual(mergeRanges([]), { 4: [], 6: [] });
  const m = mergeRanges([['0.0.0.0', '255.255.255.255', '255.255.255.254'].map(e)]);
  t.deepEqual(m[4].map(formatRange), ['0.0.0.0', '255.255.255.254/31']);
});

test('split for nft: singles to the hash set, the rest as prefix or range', (t) => {
  const m = mergeRanges([['192.0.2.9', '192.0.2.1', '198.51.100.0/24', '203.0.113.1-203.0.113.2', '203.0.113.5-203.0.113.9'].map(e)]);
  const s = splitForNft(4, m[4]);
  t.deepEqual(s.singles, [0xc0000201n, 0xc0000209n]);
  t.deepEqual(s.intervals.map(intervalText), ['198.51.100.0/24', '203.0.113.1-203.0.113.2', '203.0.113.5-203.0.113.9']);
  t.deepEqual(s.intervals.map((i) => i.prefixLen), [24, null, null]);
  const x = splitForNft(4, m[4], { expandUpTo: 2 });
  t.deepEqual(x.singles.length, 4);
  t.is(x.intervals.length, 2);
});

test('findRange binary search', (t) => {
  const m = mergeRanges([['192.0.2.0/24', '198.51.100.5', '203.0.113.0/25'].map(e)])[4];
  t.is(findRange(m, e('198.51.100.5').first), 1);
  t.is(findRange(m, e('203.0.113.127').first), 2);
  t.is(findRange(m, e('203.0.113.128').first), -1);
  t.is(findRange([], 1n), -1);
});

// --- properties ---
const family = fc.constantFrom<Family>(4, 6);
/** Ranges clustered near a base so overlaps and adjacency are common. */
const scenario = family.chain((f) => fc.bigInt({ min: 0n, max: MAX[f] - 4096n }).chain((base) => {
  const off = fc.bigInt({ min: 0n, max: 2048n });
  const range = fc.tuple(off, fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 64n }))).map(([o, span]): IpRange => ({ family: f, first: base + o, last: base + o + span }));
  return fc.record({
    f: fc.constant(f), base: fc.constant(base),
    feeds: fc.array(fc.array(range, { maxLength: 40 }), { maxLength: 4 }),
    probes: fc.array(off, { maxLength: 100 }),
  });
}));

function isMinimal(m: MergedRanges): boolean {
  for (let i = 0; i < m.length; i++) {
    const r = m[i]!;
    if (r.first > r.last) return false;
    if (i > 0 && m[i - 1]!.last + 1n >= r.first) return false; // overlapping or adjacent
  }
  return true;
}

test('property: merged set covers exactly the union of inputs and is minimal', (t) => {
  fc.assert(fc.property(scenario, ({ f, base, feeds, probes }) => {
    const m = mergeRanges(feeds)[f];
    if (!isMinimal(m)) return false;
    const inputs = feeds.flat();
    const points = [...probes.map((p) => base + p), ...inputs.flatMap((r) => [r.first, r.last, r.first - 1n, r.last + 1n])];
    for (const v of points) {
      const want = inputs.some((r) => rangeHas(r, f, v));
      if ((findRange(m, v) !== -1) !== want) return false;
      if (m.some((r) => rangeHas(r, f, v)) !== want) return false;
    }
    // every merged range starts and ends on an input boundary
    return m.every((r) => inputs.some((i) => i.first === r.first) && inputs.some((i) => i.last === r.last));
  }), { numRuns: 1500 });
  t.pass();
});

test('property: order of feeds and entries does not matter', (t) => {
  fc.assert(fc.property(scenario, fc.integer(), ({ f, feeds }, seed) => {
    const flat = feeds.flat();
    const shuffled = [...flat].sort((a, b) => ((Number(a.first % 997n) * 31 + seed) % 13) - ((Number(b.first % 997n) * 31 + seed) % 13));
    const a = mergeRanges(feeds)[f].map(formatRange);
    const b = mergeRanges([shuffled])[f].map(formatRange);
    return JSON.stringify(a) === JSON.stringify(b);
  }), { numRuns: 500 });
  t.pass();
});

test('property: split for nft covers exactly the merged set', (t) => {
  fc.assert(fc.property(scenario, fc.integer({ min: 1, max: 8 }), ({ f, base, feeds, probes }, expandUpTo) => {
    const m = mergeRanges(feeds)[f];
    const s = splitForNft(f, m, { expandUpTo });
    if (s.singles.some((v, i) => i > 0 && s.singles[i - 1]! >= v)) return false;
    const points = [...probes.map((p) => base + p), ...m.flatMap((r) => [r.first, r.last, r.last + 1n])];
    return points.every((v) => (findRange(m, v) !== -1) === (s.singles.includes(v) || s.intervals.some((r) => rangeHas(r, f, v)))) &&
      s.intervals.every((r) => r.last - r.first + 1n > BigInt(expandUpTo));
  }), { numRuns: 800 });
  t.pass();
});
