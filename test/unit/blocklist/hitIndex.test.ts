import test from 'ava';
import fc from 'fast-check';
import { buildHitIndex, feedsListing } from '../../../firmware/src/blocklist/hitIndex.js';
import { MAX, parseAddress, parseEntry, rangeHas, type IpRange } from '../../../firmware/src/net/ip.js';

const e = (s: string): IpRange => parseEntry(s);

test('names every feed that lists an address, in catalog order', (t) => {
  const idx = buildHitIndex([
    { feedId: 'feodo-c2', entries: ['192.0.2.1', '2001:db8::1'].map(e) },
    { feedId: 'spamhaus-drop', entries: ['192.0.2.0/24', '2001:db8::/48'].map(e) },
    { feedId: 'empty', entries: [] },
  ]);
  t.deepEqual(feedsListing(idx, parseAddress('192.0.2.1')), ['feodo-c2', 'spamhaus-drop']);
  t.deepEqual(feedsListing(idx, parseAddress('192.0.2.255')), ['spamhaus-drop']);
  t.deepEqual(feedsListing(idx, parseAddress('192.0.3.0')), []);
  t.deepEqual(feedsListing(idx, parseAddress('2001:db8::1')), ['feodo-c2', 'spamhaus-drop']);
  t.deepEqual(feedsListing(idx, parseAddress('2001:db8:1::1')), []);
});

test('property: agrees with a linear scan', (t) => {
  const r4 = fc.tuple(fc.bigInt({ min: 0n, max: 5000n }), fc.bigInt({ min: 0n, max: 50n }))
    .map(([a, s]): IpRange => ({ family: 4, first: MAX[4] - 6000n + a, last: MAX[4] - 6000n + a + s }));
  fc.assert(fc.property(fc.array(fc.array(r4, { maxLength: 20 }), { minLength: 1, maxLength: 4 }), fc.array(fc.bigInt({ min: 0n, max: 6000n }), { maxLength: 50 }), (feeds, probes) => {
    const idx = buildHitIndex(feeds.map((entries, i) => ({ feedId: `f${i}`, entries })));
    return probes.every((p) => {
      const v = MAX[4] - 6000n + p;
      const want = feeds.flatMap((entries, i) => (entries.some((r) => rangeHas(r, 4, v)) ? [`f${i}`] : []));
      return JSON.stringify(feedsListing(idx, { family: 4, value: v })) === JSON.stringify(want);
    });
  }), { numRuns: 500 });
  t.pass();
});

test('property: agrees with a linear scan for IPv6 (words in the index)', (t) => {
  const top = MAX[6] - 6000n;
  const r6 = fc.tuple(fc.bigInt({ min: 0n, max: 5000n }), fc.bigInt({ min: 0n, max: 50n }))
    .map(([a, s]): IpRange => ({ family: 6, first: top + a, last: top + a + s }));
  fc.assert(fc.property(fc.array(fc.array(r6, { maxLength: 20 }), { minLength: 1, maxLength: 4 }), fc.array(fc.bigInt({ min: 0n, max: 6000n }), { maxLength: 50 }), (feeds, probes) => {
    const idx = buildHitIndex(feeds.map((entries, i) => ({ feedId: `f${i}`, entries })));
    for (const p of probes) {
      const want = feeds.flatMap((entries, i) => (entries.some((r) => rangeHas(r, 6, top + p)) ? [`f${i}`] : []));
      t.deepEqual(feedsListing(idx, { family: 6, value: top + p }), want);
    }
  }), { numRuns: 200 });
});
