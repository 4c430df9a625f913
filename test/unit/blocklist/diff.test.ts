import test from 'ava';
import fc from 'fast-check';
import { diffSingles, planSetUpdate, sameIntervals } from '../../../firmware/src/blocklist/diff.js';
import { mergeRanges, splitForNft } from '../../../firmware/src/net/rangeMerge.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';

test('diffSingles: adds and deletes', (t) => {
  t.deepEqual(diffSingles([1n, 3n, 5n], [2n, 3n, 6n]), { add: [2n, 6n], del: [1n, 5n] });
  t.deepEqual(diffSingles([], [1n]), { add: [1n], del: [] });
  t.deepEqual(diffSingles([1n], []), { add: [], del: [1n] });
  t.deepEqual(diffSingles([], []), { add: [], del: [] });
});

test('diffSingles refuses unsorted or duplicated input', (t) => {
  t.throws(() => diffSingles([2n, 1n], []), { instanceOf: RangeError });
  t.throws(() => diffSingles([], [1n, 1n]), { instanceOf: RangeError });
});

test('planSetUpdate: first load, no change, interval change', (t) => {
  const split = (xs: string[]) => splitForNft(4, mergeRanges([xs.map((x) => parseEntry(x))])[4]);
  const a = split(['192.0.2.1', '198.51.100.0/24']);
  const first = planSetUpdate(null, a);
  t.true(first.swapIntervals);
  t.deepEqual(first.singles.add, [0xc0000201n]);
  t.deepEqual(first.expect, { singles: 1, intervals: 1 });
  const same = planSetUpdate(a, split(['198.51.100.0/24', '192.0.2.1']));
  t.false(same.swapIntervals);
  t.deepEqual(same.singles, { add: [], del: [] });
  const changed = planSetUpdate(a, split(['192.0.2.2', '198.51.100.0/25']));
  t.true(changed.swapIntervals);
  t.deepEqual(changed.singles, { add: [0xc0000202n], del: [0xc0000201n] });
  t.false(sameIntervals(a.intervals, []));
});

test('property: prev − del + add = next', (t) => {
  const sortedSet = fc.uniqueArray(fc.bigInt({ min: 0n, max: 300n }), { maxLength: 100 }).map((xs) => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  fc.assert(fc.property(sortedSet, sortedSet, (prev, next) => {
    const d = diffSingles(prev, next);
    const del = new Set(d.del);
    const result = new Set([...prev.filter((x) => !del.has(x)), ...d.add]);
    const nextSet = new Set(next);
    return result.size === nextSet.size && [...nextSet].every((x) => result.has(x)) &&
      d.add.every((x) => !prev.includes(x)) && d.del.every((x) => !next.includes(x));
  }), { numRuns: 1000 });
  t.pass();
});
