import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildGuard, guardEntries, protectedRanges, SPECIAL_RANGES } from '../../../firmware/src/blocklist/guard.js';
import { parseFeed } from '../../../firmware/src/blocklist/parse.js';
import { formatRange, parseEntry, MAX, rangeHas, type Family, type IpRange } from '../../../firmware/src/net/ip.js';

const e = (s: string): IpRange => parseEntry(s);
const run = (texts: string[], opts = {}) => guardEntries(texts.map(e), buildGuard(opts));

test('every special-purpose and too-broad line is rejected with its reason', (t) => {
  const cases: Array<[string, string]> = [
    ['0.0.0.0/0', 'too_broad'], ['::/0', 'too_broad'], ['8.0.0.0/6', 'too_broad'], ['2000::/3', 'too_broad'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
    ['10.0.0.0/8', 'private'], ['172.16.5.5', 'private'], ['192.168.1.0/24', 'private'],
    ['100.64.0.1', 'cgnat'], ['127.0.0.1', 'loopback'], ['::1', 'loopback'],
    ['169.254.1.1', 'link_local'], ['fe80::/64', 'link_local'], ['fe80::/10', 'too_broad'],
    ['224.0.0.251', 'multicast'], ['ff02::1', 'multicast'], ['255.255.255.255', 'broadcast'],
    ['fd00::/48', 'ula'], ['240.0.0.1', 'reserved'], ['198.18.0.1', 'reserved'], ['2001:2::1', 'reserved'],
  ];
  for (const [text, reason] of cases) {
    const r = run([text]);
    t.is(r.accepted.length, 0, text);
    t.deepEqual(r.rejected, { [reason]: 1 }, text);
  }
});

test('documentation ranges stay loadable (the lab internet)', (t) => {
  const docs = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '192.0.2.1'];
  const r = run(docs);
  t.deepEqual(r.accepted.map(formatRange), docs);
  t.is(r.rejectedTotal + r.carvedTotal, 0);
});

test('limits are configurable and validated', (t) => {
  t.is(run(['8.0.0.0/8']).accepted.length, 1);
  t.deepEqual(run(['8.0.0.0/8'], { minPrefix: { 4: 16 } }).rejected, { too_broad: 1 });
  t.deepEqual(run(['2001:db8::/32'], { minPrefix: { 6: 48 } }).rejected, { too_broad: 1 });
  t.throws(() => buildGuard({ minPrefix: { 4: 0 } }), { instanceOf: RangeError });
  t.deepEqual(run(['1.0.0.0-1.255.255.255', '1.0.0.0-2.0.0.0']).rejected, { too_broad: 1 });
});

test('overlap is carved: the protected part is cut out and the rest stays blocked', (t) => {
  const r = run(['172.0.0.0/10', '203.0.113.0/24'], {
    protected: protectedRanges('lan', ['203.0.113.65/26']), // interface form: host bits allowed
  });
  t.deepEqual(r.accepted.map(formatRange), [
    '172.0.0.0/12', '172.32.0.0/11',
    '203.0.113.0/26', '203.0.113.128/25',
  ]);
  t.deepEqual(r.carved, { private: 1, lan: 1 });
  t.is(r.carvedTotal, 2);
  t.is(r.rejectedTotal, 0);
});

test('runtime protected list: own, gateway, upstream, management, allowlist', (t) => {
  const guard = buildGuard({
    protected: [
      ...protectedRanges('own_address', ['198.51.100.2']),
      ...protectedRanges('gateway', ['198.51.100.1']),
      ...protectedRanges('upstream', ['203.0.113.50']),
      ...protectedRanges('management', ['2001:db8:ffff::/48']),
      ...protectedRanges('allowlist', ['192.0.2.10-192.0.2.20']),
    ],
  });
  const r = guardEntries(['198.51.100.2', '198.51.100.1', '203.0.113.50', '2001:db8:ffff::1', '192.0.2.15', '198.51.100.0/30'].map(e), guard);
  t.deepEqual(r.rejected, { own_address: 1, gateway: 1, upstream: 1, management: 1, allowlist: 1 });
  t.deepEqual(r.accepted.map(formatRange), ['198.51.100.0', '198.51.100.3']);
  t.deepEqual(r.carved, { gateway: 1, own_address: 1 });
});

test('hostile fixture: nothing protected survives parse + guard', (t) => {
  const body = readFileSync(fileURLToPath(new URL('../../fixtures/feeds/plain-hostile.txt', import.meta.url)), 'utf8');
  const r = guardEntries(parseFeed(body, { format: 'plain' }).entries, buildGuard());
  t.deepEqual(r.accepted.map(formatRange), ['192.0.2.10', '198.51.100.23', '203.0.113.5', '203.0.113.5', '2001:db8:10::/48', '2001:db8::beef']);
  t.is(r.rejectedTotal, 13);
});

const family = fc.constantFrom<Family>(4, 6);
const rangeIn = (f: Family) => fc.tuple(fc.bigInt({ min: 0n, max: MAX[f] }), fc.bigInt({ min: 0n, max: 1n << 20n }))
  .map(([first, span]): IpRange => ({ family: f, first, last: first + span > MAX[f] ? MAX[f] : first + span }));

test('property: accepted never touches protected space and loses nothing else', (t) => {
  // cluster everything near a random base so ranges actually overlap
  const scenario = family.chain((f) => fc.bigInt({ min: 0n, max: MAX[f] - (1n << 22n) }).chain((base) => {
    const near = rangeIn(f).map((r) => ({ ...r, first: base + (r.first % (1n << 21n)), last: base + (r.first % (1n << 21n)) + (r.last - r.first) }));
    return fc.record({ f: fc.constant(f), base: fc.constant(base), entries: fc.array(near, { maxLength: 8 }), prot: fc.array(near, { maxLength: 5 }), probes: fc.array(fc.bigInt({ min: 0n, max: 1n << 22n }), { maxLength: 60 }) });
  }));
  fc.assert(fc.property(scenario, ({ f, base, entries, prot, probes }) => {
    const guard = buildGuard({ protected: prot.map((range) => ({ range, reason: 'lan' as const })) });
    const r = guardEntries(entries, guard);
    const protectedAt = (v: bigint): boolean =>
      prot.some((p) => rangeHas(p, f, v)) || guard.segments[f].some((s) => s.first <= v && v <= s.last);
    const points = [...probes.map((p) => base + p), ...entries.flatMap((x) => [x.first, x.last, x.first - 1n, x.last + 1n]), ...prot.flatMap((x) => [x.first, x.last, x.first - 1n, x.last + 1n])];
    for (const v of points) {
      const inAccepted = r.accepted.some((a) => rangeHas(a, f, v));
      const inEntries = entries.some((x) => rangeHas(x, f, v));
      if (inAccepted && protectedAt(v)) return false;
      if (inAccepted !== (inEntries && !protectedAt(v))) return false;
    }
    return r.rejectedTotal + r.accepted.length >= entries.length - r.carvedTotal;
  }), { numRuns: 1500 });
  t.pass();
});

test('special list has no documentation range', (t) => {
  const g = buildGuard();
  for (const doc of ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32']) {
    const r = e(doc);
    t.false(g.segments[r.family].some((s) => s.first <= r.last && r.first <= s.last), doc);
  }
  t.true(SPECIAL_RANGES.length > 20);
});

test('streaming parse → guardEntry equals the batch path', async (t) => {
  const { emptyGuardResult, guardEntry } = await import('../../../firmware/src/blocklist/guard.js');
  const body = readFileSync(fileURLToPath(new URL('../../fixtures/feeds/plain-hostile.txt', import.meta.url)), 'utf8');
  const guard = buildGuard({ protected: protectedRanges('lan', ['203.0.113.0/28']) });
  const batch = guardEntries(parseFeed(body, { format: 'plain' }).entries, guard);
  const streamed = emptyGuardResult();
  const p = parseFeed(body, { format: 'plain', onEntry: (x) => guardEntry(x, guard, streamed, (k) => streamed.accepted.push(k)) });
  t.is(p.entries.length, 0);
  t.is(p.acceptedTotal, 19); // 6 good + 13 the guard refuses
  t.deepEqual(streamed, batch);
});

test('property: the numeric fast path for IPv4 singles decides exactly as the general path', (t) => {
  const fast = buildGuard({ protected: protectedRanges('lan', ['192.0.2.0/26', '203.0.113.7']) });
  const { v4First: _f, v4Last: _l, ...slow } = fast;
  fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0xc0000000, max: 0xcb0071ff })), (v) => {
    const e = { family: 4 as const, first: BigInt(v), last: BigInt(v) };
    const a = guardEntries([e], fast);
    const b = guardEntries([e], slow);
    t.deepEqual(a.accepted, b.accepted);
    t.deepEqual(a.rejected, b.rejected);
  }));
});
