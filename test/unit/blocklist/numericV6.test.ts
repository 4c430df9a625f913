// The IPv6 path on numbers (issue 14) must give what the full parser, the bigint guard and the
// bigint merge give: same entries, counts, samples, carving, merged ranges and set content,
// on random and edge-case IPv6 feeds.
import test from 'ava';
import fc from 'fast-check';
import { parseFeed } from '../../../firmware/src/blocklist/parse.js';
import { buildGuard, emptyGuardResult, guardEntry, protectedRanges } from '../../../firmware/src/blocklist/guard.js';
import { guardV6 } from '../../../firmware/src/blocklist/guardV6.js';
import { packRanges, RangePacker, splitPacked, unionPacked } from '../../../firmware/src/blocklist/packed.js';
import { v6IpRanges, v6RangesFromTexts, v6RangesJson } from '../../../firmware/src/blocklist/packedV6.js';
import { maskedLengths } from '../../../firmware/src/blocklist/prefixSets.js';
import { evaluateFeed, type FeedRules } from '../../../firmware/src/blocklist/evaluate.js';
import { applyDelta, decodeSnapshot, encodeDelta, encodeSnapshot } from '../../../firmware/src/blocklist/lastGood.js';
import { putV6BigInt, v6BigInt } from '../../../firmware/src/net/ip6Numbers.js';
import { formatAddress, formatRange, rangeToCidrs, type IpRange } from '../../../firmware/src/net/ip.js';
import { mergeRanges } from '../../../firmware/src/net/rangeMerge.js';

const MAX = (1n << 128n) - 1n;
const big = (u: Uint32Array): bigint[] => Array.from({ length: u.length / 4 }, (_, i) => v6BigInt(u, 4 * i));

/** An IPv6 address near protected or interesting space, or anywhere. */
const arbV6 = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX }),
  fc.bigInt({ min: 0x2001_0db8n << 96n, max: (0x2001_0db8n << 96n) + (1n << 90n) }), // documentation space, the lab's internet
  fc.bigInt({ min: 0x2001_0db8_0001n << 80n, max: (0x2001_0db8_0001n << 80n) + (1n << 50n) }), // the protected /48 below
  fc.constantFrom(0n, 1n, MAX, 0xffffn << 32n, 0xfe80n << 112n, 0xfc00n << 112n),
);
/** An entry: a single, a prefix (any length, often /32–/64) or a range. */
const arbEntry: fc.Arbitrary<IpRange> = fc.oneof(
  arbV6.map((v) => ({ family: 6 as const, first: v, last: v })),
  fc.tuple(arbV6, fc.oneof(fc.integer({ min: 0, max: 128 }), fc.integer({ min: 32, max: 64 }))).map(([v, len]) => {
    const host = (1n << BigInt(128 - len)) - 1n;
    return { family: 6 as const, first: v & ~host, last: (v & ~host) | host };
  }),
  fc.tuple(arbV6, fc.bigInt({ min: 0n, max: 1n << 40n })).map(([v, d]) => ({ family: 6 as const, first: v, last: v + d > MAX ? MAX : v + d })),
);

const guard = buildGuard({
  minPrefix: { 6: 20 },
  protected: [...protectedRanges('own_address', ['2001:db8:1::/48', '2001:db8::1']), ...protectedRanges('lan', ['2001:db8:1:5::/64']), ...protectedRanges('allowlist', ['2001:db8:2::10-2001:db8:2::1f'])],
});

test('guardV6 keeps, rejects and carves as guardEntry does, with the same counts and samples', (t) => {
  fc.assert(fc.property(fc.array(arbEntry, { maxLength: 12 }), (entries) => {
    const slowRes = emptyGuardResult();
    const slow: string[] = [];
    const fastRes = emptyGuardResult();
    const fast: string[] = [];
    const w = new Uint32Array(8);
    for (const e of entries) {
      guardEntry(e, guard, slowRes, (k) => slow.push(`${k.first}-${k.last}`));
      putV6BigInt(e.first, w, 0);
      putV6BigInt(e.last, w, 4);
      guardV6(w, guard, fastRes, (k) => fast.push(`${v6BigInt(k, 0)}-${v6BigInt(k, 4)}`));
    }
    t.deepEqual(fast, slow);
    t.deepEqual(fastRes, slowRes);
  }), { numRuns: 200 });
});

test('RangePacker on IPv6 words packs like the bigint merge; unionPacked joins IPv6 lists like it too', (t) => {
  fc.assert(fc.property(fc.array(fc.array(arbEntry, { maxLength: 40 }), { minLength: 1, maxLength: 3 }), (lists) => {
    const packed = lists.map((l) => {
      const p = new RangePacker();
      const w = new Uint32Array(8);
      l.forEach((e, i) => {
        if (i % 2) p.add(e);
        else {
          putV6BigInt(e.first, w, 0);
          putV6BigInt(e.last, w, 4);
          p.addV6(w);
        }
      });
      return p.finish();
    });
    packed.forEach((p, i) => t.deepEqual(v6IpRanges(p), mergeRanges([lists[i]!])[6]));
    t.deepEqual(v6IpRanges(unionPacked(packed)), mergeRanges(lists)[6]);
  }), { numRuns: 150 });
});

/** The set content as the bigint code split it before issue 14's IPv6 work (reference). */
function referenceSplit(ranges: IpRange[]): { singles: bigint[]; masked: Array<[number, bigint[]]>; nets: string[] } {
  const cidrs = ranges.flatMap(rangeToCidrs);
  const c6 = new Array<number>(129).fill(0);
  for (const c of cidrs) c6[c.prefixLen]!++;
  const lens = maskedLengths(c6, 128);
  const masked = lens.map((len): [number, bigint[]] => [len, []]);
  const singles: bigint[] = [];
  const nets: string[] = [];
  for (const c of cidrs) {
    if (c.prefixLen === 128) singles.push(c.first);
    else {
      const m = masked.find((x) => x[0] === c.prefixLen);
      if (m) m[1].push(c.first);
      else nets.push(formatRange(c));
    }
  }
  return { singles, masked, nets };
}

test('splitPacked cuts IPv6 into singles, masked lengths and rare prefixes as the bigint split did', (t) => {
  // many prefixes of a few lengths, so that some lengths pass MASKED_MIN_PREFIXES
  const arbFeed = fc.tuple(fc.array(arbEntry, { maxLength: 60 }), fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), fc.constantFrom(32, 48, 56, 64)), { maxLength: 400 }))
    .map(([es, ps]) => [...es, ...ps.map(([n, len]): IpRange => {
      const host = (1n << BigInt(128 - len)) - 1n;
      const first = ((0x2400n << 112n) | (n << 72n)) & ~host;
      return { family: 6, first, last: first | host };
    })]);
  fc.assert(fc.property(arbFeed, (entries) => {
    const p = packRanges(entries);
    const c = splitPacked(p);
    const ref = referenceSplit(mergeRanges([entries])[6]);
    t.deepEqual(big(c.v6Singles), ref.singles);
    t.deepEqual(c.v6Masked.map((m) => [m.len, big(m.nets)]), ref.masked);
    t.deepEqual(c.v6Nets.map(formatRange), ref.nets);
  }), { numRuns: 100 });
});

test('a snapshot keeps IPv6 ranges as text (format 2, readable by the firmware before) and reads them back on numbers', (t) => {
  fc.assert(fc.property(fc.array(arbEntry.filter((e) => e.first >> 32n !== 0xffffn), { maxLength: 30 }), (entries) => {
    const ranges = packRanges(entries);
    const text = encodeSnapshot({ feedId: 'x', savedAt: 1, usable: entries.length, ranges });
    const json = JSON.parse(text) as { version: number; v6: string[] };
    t.is(json.version, 2);
    t.deepEqual(json.v6, mergeRanges([entries])[6].map(formatRange));
    t.deepEqual(v6IpRanges(decodeSnapshot(text).ranges), v6IpRanges(ranges));
    t.deepEqual(v6IpRanges(v6RangesFromTexts(JSON.parse(v6RangesJson(ranges)) as string[])), v6IpRanges(ranges));
    // a delta file carries the ranges that came (against an empty base: all of them) the same way
    const base = { feedId: 'x', savedAt: 1, usable: 0, ranges: packRanges([]) };
    const delta = encodeDelta(base, { feedId: 'x', savedAt: 2, usable: entries.length, ranges });
    t.like(JSON.parse(delta.text), { version: 2, v6Add: json.v6, v6Del: [] });
    t.deepEqual(v6IpRanges(applyDelta(base, delta.text)?.ranges ?? packRanges([])), v6IpRanges(ranges));
  }));
  t.throws(() => v6RangesFromTexts(['2001:db8::5', '2001:db8::4']), { instanceOf: RangeError });
  t.throws(() => v6RangesFromTexts(['2001:db8::4', '2001:db8::5']), { instanceOf: RangeError }, 'adjacent ranges are not minimal');
});

/** Feed lines: IPv6 entries in many spellings, IPv4, and lines the full parser must judge. */
const arbLine = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(arbEntry, fc.boolean()).map(([e, upper]) => { const s = formatRange(e); return upper ? s.toUpperCase() : s; }) },
  { weight: 2, arbitrary: arbV6.map((v) => formatAddress(6, v)) },
  { weight: 1, arbitrary: fc.constantFrom('2001:db8::1 ; SBL1', '2001:db8::/32 # x', 'fe80::1%eth0', '::ffff:1.2.3.4', '2001:db8::1/64', '2001:0DB8:0000::/48', '::1.2.3.4', '2001:db8::1-2001:db8::9',
    '203.0.113.9', '198.51.100.0/24', '# comment', '', ' 2001:db8::7', '2001:db8:::1', '2001:db8::/129', '2001:db8::/032', '::/0') },
);

test('a feed read with onV4 and onV6 gives the same entries, counts and samples as the full parser', (t) => {
  fc.assert(fc.property(fc.array(arbLine, { maxLength: 40 }), fc.constantFrom<'plain' | 'range' | 'spamhaus-drop' | 'spamhaus-jsonl' | 'csv'>('plain', 'range', 'spamhaus-drop', 'spamhaus-jsonl', 'csv'), fc.boolean(), fc.boolean(), (lines, format, crlf, allowHostBits) => {
    const shaped = lines.map((l) => (format === 'spamhaus-jsonl' ? (l === '' || l.startsWith('#') ? l : `{"cidr":"${l}","sblid":"SBL1"}`) : format === 'csv' ? (l.startsWith('#') ? l : `x,${l},y`) : l));
    const body = shaped.join(crlf ? '\r\n' : '\n');
    const opts = { format, allowHostBits, ...(format === 'csv' ? { csv: { column: 2 } } : {}) };
    const slow: string[] = [];
    const a = parseFeed(body, { ...opts, onEntry: (e) => slow.push(`${e.family} ${e.first}-${e.last}`) });
    const fast: string[] = [];
    const b = parseFeed(body, {
      ...opts,
      onEntry: (e) => fast.push(`${e.family} ${e.first}-${e.last}`),
      onV4: (f, l) => fast.push(`4 ${f}-${l}`),
      onV6: (w) => fast.push(`6 ${v6BigInt(w, 0)}-${v6BigInt(w, 4)}`),
    });
    t.deepEqual(fast, slow);
    t.deepEqual(b, a);
  }), { numRuns: 400 });
});

test('long runs of IPv6 lines (batches of V6_BATCH, runs of IPv4 between) keep their order, entries, counts and samples', (t) => {
  // 2,600 lines: runs longer than one batch, cut by IPv4 runs and lines the full parser reads
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 1300 }), fc.constantFrom(6, 4, 0)), { minLength: 2, maxLength: 5 }), fc.integer({ min: 0, max: 1 << 20 }), (runs, seed) => {
    const lines: string[] = [];
    let x = seed;
    for (const [len, kind] of runs) {
      for (let i = 0; i < len; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        lines.push(kind === 6 ? formatAddress(6, (0x2001_0db8n << 96n) + BigInt(x) * 65537n) : kind === 4 ? `198.51.${(x >> 8) & 255}.${x & 255}` : i % 2 ? '2001:db8::1-2001:db8::9' : '# note');
      }
    }
    const body = lines.join('\n');
    const slow: string[] = [];
    const a = parseFeed(body, { format: 'plain', onEntry: (e) => slow.push(`${e.family} ${e.first}-${e.last}`) });
    const fast: string[] = [];
    const b = parseFeed(body, {
      format: 'plain',
      onEntry: (e) => fast.push(`${e.family} ${e.first}-${e.last}`),
      onV4: (f, l) => fast.push(`4 ${f}-${l}`),
      onV6: (w) => fast.push(`6 ${v6BigInt(w, 0)}-${v6BigInt(w, 4)}`),
    });
    t.deepEqual(fast, slow);
    t.deepEqual(b, a);
    const rules: FeedRules = { id: 'x', format: 'plain', allowHostBits: false, minEntries: 1, maxShrinkRatio: 0.5, maxRejectRatio: 1 };
    const ref = evaluateFeed(rules, { v6: { text: body } }, guard, null);
    const p = new RangePacker();
    const got = evaluateFeed(rules, { v6: { text: Buffer.from(body) } }, guard, null, (r) => p.add(r), p, p);
    t.deepEqual(got.stats, ref.stats);
    t.deepEqual(v6IpRanges(p.finish()), mergeRanges([ref.entries])[6]);
  }), { numRuns: 20 });
});

test('evaluateFeed streaming IPv6 on numbers keeps what the object path keeps, with the same stats', (t) => {
  const rules: FeedRules = { id: 'x', format: 'plain', allowHostBits: false, minEntries: 1, maxShrinkRatio: 0.5, maxRejectRatio: 1 };
  fc.assert(fc.property(fc.array(arbLine, { minLength: 1, maxLength: 40 }), (lines) => {
    const body = { text: lines.join('\n') };
    const ref = evaluateFeed(rules, { v6: body }, guard, null);
    const p = new RangePacker();
    const got = evaluateFeed(rules, { v6: body }, guard, null, (r) => p.add(r), p, p);
    t.deepEqual(got.stats, ref.stats);
    const packed = p.finish();
    t.deepEqual(v6IpRanges(packed), mergeRanges([ref.entries])[6]);
    t.deepEqual(Array.from(packed.v4First), Array.from(packRanges(ref.entries).v4First));
  }), { numRuns: 150 });
});
