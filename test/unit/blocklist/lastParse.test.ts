// "Parse only what changed": a refresh that reads only the changed lines of a download
// (lastParse.ts, bodyDelta.ts) gives what reading the whole download gives: the same ranges,
// counts, samples and health, through random edits of random feeds (blocks moved, lines
// inserted and removed across block boundaries, CRLF, comments, duplicates, rejected lines).
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { refreshFeed, type RefreshOutcome } from '../../../firmware/src/blocklist/refresh.js';
import { ParseReuse, evaluateChanged, patchLast, reusableFeed, reuseKey } from '../../../firmware/src/blocklist/lastParse.js';
import { patchV6Parts, v6PartsRanges } from '../../../firmware/src/blocklist/packedV6.js';
import { RangePacker, unionParts, type V4Parts } from '../../../firmware/src/blocklist/packed.js';
import { diffV4Ranges } from '../../../firmware/src/blocklist/snapshotDelta.js';
import { patchParts } from '../../../firmware/src/blocklist/packedPatch.js';
import { bodyDelta, BLOCK_BYTES } from '../../../firmware/src/blocklist/bodyDelta.js';
import { buildGuard, protectedRanges } from '../../../firmware/src/blocklist/guard.js';
import { FeedSchema, type ResolvedFeed } from '../../../firmware/src/config/feedCatalog.js';
import type { FeedFetchResult } from '../../../firmware/src/blocklist/fetch.js';

function feedOf(format: 'plain' | 'range' | 'spamhaus-drop', allowHostBits = false, family: 'v4' | 'v6' = 'v4'): ResolvedFeed {
  return { ...FeedSchema.parse({
    id: 'f1', name: { ja: 'テスト', en: 'test' }, description: { ja: 'テスト', en: 'test' }, category: 'malware', urls: { [family]: 'http://192.0.2.53/f1.txt' }, format, direction: 'both', action: 'drop', minEntries: 1, refresh: '0 * * * *', enabledByDefault: true, allowHostBits,
  }), enabled: true } as unknown as ResolvedFeed;
}

const limits = { fetchTimeoutSeconds: 5, maxBytes: 1 << 24 };
const guard = buildGuard({ protected: protectedRanges('lan', ['198.51.100.0/28']) });

function refresh(feed: ResolvedFeed, body: Buffer, lastGoodUsable: number | null, reuse?: ParseReuse): Promise<RefreshOutcome> {
  const sha256 = createHash('sha256').update(body).digest('hex');
  return refreshFeed({
    feed, limits, guard, validators: {}, lastGoodUsable, reuse,
    fetch: (): Promise<FeedFetchResult> => Promise.resolve({ status: 'ok', body, sha256, finalUrl: 'http://192.0.2.53/f1.txt' }),
  });
}

/** Everything a caller reads of an outcome, as plain data. */
function seen(o: RefreshOutcome): unknown {
  if (o.kind !== 'ok') return o;
  return { kind: o.kind, first: [...o.ranges.v4First], last: [...o.ranges.v4Last], v6: [...o.ranges.v6First, ...o.ranges.v6Last], usable: o.usable, stats: o.stats };
}

const octet = fc.integer({ min: 0, max: 255 });
// few distinct addresses, so that lines repeat (duplicates) and ranges touch
const addr = fc.tuple(fc.integer({ min: 198, max: 203 }), fc.constantFrom(0, 18, 51), fc.integer({ min: 0, max: 3 }), octet).map((a) => a.join('.'));
const line = fc.oneof(
  { weight: 30, arbitrary: addr },
  { weight: 3, arbitrary: fc.tuple(addr, fc.integer({ min: 22, max: 32 })).map(([a, l]) => `${a.replace(/\.\d+$/, '.0')}/${l}`) },
  { weight: 2, arbitrary: fc.tuple(addr, addr).map(([a, b]) => `${a}-${b}`) },
  { weight: 2, arbitrary: addr.map((a) => `${a} # why`) },
  { weight: 2, arbitrary: fc.constantFrom('# comment', '', '; note', '   ') },
  { weight: 1, arbitrary: fc.constantFrom('198.51.100.3', '10.1.2.3', '999.1.1.1', 'not an address', '2001:db8::1', '0.0.0.0/0') },
).chain((l) => fc.constantFrom(`${l}\n`, `${l}\r\n`));

/** A feed body of lines, most of them a plain single address. */
const lines = fc.array(line, { minLength: 0, maxLength: 400 });

type Edit = { at: number; del: number; ins: string[] };
const edits = fc.array(fc.record({ at: fc.nat(), del: fc.nat(120), ins: fc.array(line, { maxLength: 80 }) }), { maxLength: 6 });

function edit(ls: string[], es: Edit[]): string[] {
  const out = [...ls];
  for (const e of es) out.splice(out.length ? e.at % (out.length + 1) : 0, e.del, ...e.ins);
  return out;
}

/** Clean lines only (no rejection), so that the changed-lines path is taken. */
const cleanAddr = fc.tuple(fc.constantFrom(45, 77, 185, 203), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), octet).map((a) => a.join('.'));
// few distinct IPv6 addresses and prefixes of one /40, so that they repeat, nest and touch
const cleanV6 = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 6 })).map(([a, b]) => `2a01:4f8:${a}::${b}`);
const cleanLine = fc.oneof(
  { weight: 40, arbitrary: cleanAddr },
  { weight: 2, arbitrary: cleanAddr.map((a) => `${a.replace(/\.\d+$/, '.0')}/24`) },
  { weight: 6, arbitrary: cleanV6 },
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom('2a01:4f8:1::/48', '2a01:4f8:2::/64', '2a01:4f8::/40', '2a01:4f8:3::4/126'), fc.tuple(cleanV6, cleanV6).map(([a, b]) => `${a} - ${b}`)) },
  { weight: 1, arbitrary: fc.constantFrom('# c', '', '45.0.0.1 # why') },
).chain((l) => fc.constantFrom(`${l}\n`, `${l}\n`, `${l}\r\n`));
const smallEdits = fc.array(fc.record({ at: fc.nat(), del: fc.nat(40), ins: fc.array(cleanLine, { maxLength: 20 }) }), { maxLength: 6 });

test('reading the changed lines gives what reading the whole download gives, through a run of edits', async (t) => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom('plain', 'range', 'spamhaus-drop'), fc.boolean(), fc.array(cleanLine, { minLength: 300, maxLength: 1500 }), fc.array(smallEdits, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.constantFrom<'v4' | 'v6'>('v4', 'v6'),
    async (format, hostBits, base, runs, dirty, family) => {
      const feed = feedOf(format, hostBits, family);
      const reuse = new ParseReuse();
      let ls: string[] = base;
      let usable: number | null = null;
      for (let r = 0; r <= runs.length; r++) {
        if (r > 0) ls = edit(ls, runs[r - 1]!);
        // now and then a body with rejected lines, a protected address or a missing last line feed
        const text = ls.join('') + (dirty && r === 1 ? '10.0.0.1\n2001:db8::7\n198.51.100.3' : '');
        const body = Buffer.from(text);
        const whole = await refresh(feed, body, usable);
        const parts = await refresh(feed, body, usable, reuse);
        t.deepEqual(seen(parts), seen(whole));
        if (whole.kind === 'ok') usable = whole.usable;
      }
    },
  ), { numRuns: 150 });
});

test('random lines of every kind, random edits: the same outcome either way', async (t) => {
  await fc.assert(fc.asyncProperty(fc.constantFrom('plain', 'range'), lines, edits, edits, async (format, base, e1, e2) => {
    const feed = feedOf(format);
    const reuse = new ParseReuse();
    let usable: number | null = null;
    for (const ls of [base, edit(base, e1), edit(edit(base, e1), e2)]) {
      const body = Buffer.from(ls.join(''));
      const whole = await refresh(feed, body, usable);
      t.deepEqual(seen(await refresh(feed, body, usable, reuse)), seen(whole));
      if (whole.kind === 'ok') usable = whole.usable;
    }
  }), { numRuns: 150 });
});

test('an update that drops a prefix over listed addresses is patched, and reads as the whole download does', async (t) => {
  // the /22 merged its 512 listed addresses into one range; without it they are 512 ranges, more
  // than the changed lines' spans (the patch's first sizing, until 2026-12-05)
  const feed = feedOf('plain');
  const filler = Array.from({ length: 3000 }, (_, i) => `45.${1 + (i >> 8)}.${i & 255}.1\n`); // long enough to be read in part
  const inside = Array.from({ length: 512 }, (_, i) => `77.1.${i >> 7}.${2 * (i & 127) + 1}\n`);
  const before = Buffer.from([...filler, '77.1.0.0/22\n', ...inside].join(''));
  const after = Buffer.from([...filler, ...inside].join(''));
  const reuse = new ParseReuse();
  const first = await refresh(feed, before, null, reuse);
  t.is(first.kind, 'ok');
  const patched = await refresh(feed, after, first.kind === 'ok' ? first.usable : null, reuse);
  t.true(patched.kind === 'ok' && patched.v4Delta !== undefined, 'read in part (the patch, not the whole read)');
  t.deepEqual(seen(patched), seen(await refresh(feed, after, first.kind === 'ok' ? first.usable : null)));
});

test('a patch that throws (a bug of ours) reads the download whole, and says so for the log', async (t) => {
  const feed = feedOf('plain');
  const ls = Array.from({ length: 5000 }, (_, k) => `203.0.${k >> 8}.${k & 255}\n`);
  const next = Buffer.from(edit(ls, [{ at: 2500, del: 1, ins: ['192.0.2.9\n'] }]).join(''));
  const reuse = new ParseReuse();
  const first = await refresh(feed, Buffer.from(ls.join('')), null, reuse);
  if (first.kind !== 'ok' || !reuse.last) return t.fail('the first read is kept');
  t.is(first.readWhole, undefined);
  reuse.last = { ...reuse.last, parts: { ...reuse.last.parts, singles: null as unknown as Uint32Array } }; // no array: the patch throws
  const out = await refresh(feed, next, first.usable, reuse);
  t.true(out.kind === 'ok' && out.v4Delta === undefined, 'read whole');
  t.regex(out.kind === 'ok' ? out.readWhole ?? '' : '', /^the patch of its changed lines failed: .+/);
  t.deepEqual(seen(out), seen(await refresh(feed, next, first.usable)), 'the same entries as a whole read');
});

test('a 1% change of a clean feed is read in part: only the changed lines', async (t) => {
  const feed = feedOf('plain');
  const ls = Array.from({ length: 5000 }, (_, k) => `203.0.${k >> 8}.${k & 255}\n`);
  const prev = Buffer.from(ls.join(''));
  const next = Buffer.from(edit(ls, [{ at: 0, del: 25, ins: [] }, { at: 2500, del: 1, ins: ['192.0.2.9\n'] }, { at: 4980, del: 0, ins: ['192.0.2.1\n', '192.0.2.2\n'] }]).join(''));
  const d = bodyDelta(prev, next);
  t.truthy(d);
  t.true(d!.fresh.length <= 3 * BLOCK_BYTES + 40, `fresh ${d!.fresh.length} bytes`);
  t.true(d!.dropped.length <= 4 * BLOCK_BYTES, `dropped ${d!.dropped.length} bytes`);
  t.is(bodyDelta(prev, Buffer.from([...ls].reverse().join(''))), null, 'everything moved: read whole');
  t.is(bodyDelta(Buffer.from(`\ufeff${ls.join('')}`), prev), null, 'a byte-order mark: read whole');
  const reuse = await takenInPart(t, feed, prev, next);
  t.is(evaluateChanged(feed, reuse.last!, next, buildGuard(), reuseKey(feed, buildGuard()), 5000), null, 'another guard: read whole');
});

test('a 1% change spread all over a sorted list (a line here, a line there) is read in part: only the changed lines', async (t) => {
  const feed = feedOf('plain');
  const ls = Array.from({ length: 5000 }, (_, k) => `203.0.${k >> 8}.${k & 255}\n`);
  // every 100th line: one removed, one added after it, one replaced (50 changes, all over)
  const edits = Array.from({ length: 50 }, (_, i) => ({ at: 100 * i + 50, del: i % 3 === 1 ? 0 : 1, ins: i % 3 === 0 ? [] : [`192.0.2.${i}\n`] }));
  const next = Buffer.from(edit(ls, edits).join(''));
  const d = bodyDelta(Buffer.from(ls.join('')), next);
  t.truthy(d, 'not given up');
  t.true(d!.fresh.length <= 34 * 14, `fresh ${d!.fresh.length} bytes: the new lines`);
  t.true(d!.dropped.length <= 34 * 12, `dropped ${d!.dropped.length} bytes: the lines that went`);
  const reuse = new ParseReuse();
  const first = await refresh(feed, Buffer.from(ls.join('')), null, reuse);
  const patched = await refresh(feed, next, first.kind === 'ok' ? first.usable : null, reuse);
  t.true(patched.kind === 'ok' && patched.v4Delta !== undefined, 'read in part');
  t.deepEqual(seen(patched), seen(await refresh(feed, next, first.kind === 'ok' ? first.usable : null)));
});

/** The 5,000-line `prev` read whole, then `next` (25 lines gone, 1 changed, 2 new) read from
 *  its changed lines: checks it was, and returns the slot. */
async function takenInPart(t: ExecutionContext, feed: ResolvedFeed, prev: Buffer, next: Buffer): Promise<ParseReuse> {
  const reuse = new ParseReuse();
  await refresh(feed, prev, null, reuse);
  t.truthy(reuse.last, 'a clean evaluation is kept');
  const c = evaluateChanged(feed, reuse.last!, next, guard, reuseKey(feed, guard), 5000);
  t.truthy(c, 'taken');
  t.is(c!.stats.usable, 5000 - 25 - 1 + 1 + 2);
  return reuse;
}


for (const [what, max] of [['dense, touching, overlapping', 300], ['sparse: most changes meet nothing', 1_000_000]] as const) test(`patching the entries and their ranges gives the merge of the new entries (${what})`, (t) => {
  const entry = fc.tuple(fc.integer({ min: 0, max }), fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }) }));
  fc.assert(fc.property(fc.array(entry, { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 30 }), fc.array(entry, { maxLength: 30 }), (base, drop, add) => {
    const pack = (es: Array<[number, number]>): V4Parts => {
      const p = new RangePacker();
      for (const [f, w] of es) p.addV4(f, f + w);
      return p.parts();
    };
    const gone = new Set(base.length ? drop.map((d) => d % base.length) : []);
    const now = [...base.filter((_, k) => !gone.has(k)), ...add];
    const then = pack(base);
    const none = new Uint32Array(0);
    const last = { body: Buffer.alloc(0), key: '', parts: then, ranges: unionParts(pack(base)), v6Parts: none, stats: {} as never };
    const got = patchLast(last, { parts: pack(base.filter((_, k) => gone.has(k))), v6Parts: none }, { parts: pack(add), v6Parts: none });
    const want = pack(now);
    t.deepEqual([...got!.parts.singles], [...want.singles]);
    t.deepEqual([...got!.parts.otherFirst], [...want.otherFirst]);
    const u = unionParts(want);
    t.deepEqual([[...got!.ranges.v4First], [...got!.ranges.v4Last]], [[...u.v4First], [...u.v4Last]]);
    // the change of the ranges, from the windows alone: what walking both lists gives
    const walked = diffV4Ranges(last.ranges, got!.ranges);
    const flat = (d: typeof walked): number[][] => [[...d.del.v4First], [...d.del.v4Last], [...d.add.v4First], [...d.add.v4Last]];
    t.deepEqual(flat(got!.delta), flat(walked));
  }), { numRuns: 500 });
});

test('taking out a range that covered listed addresses splits it into as many ranges as they are', (t) => {
  // one range before (the /24 over its singles), 64 after: more than the one more per change
  // the output was sized for (a RangeError that stopped the feed's every update, found 2026-12-05)
  const p = new RangePacker();
  p.addV4(0x0a000000, 0x0a0000ff);
  for (let i = 1; i < 128; i += 2) p.addV4(0x0a000000 + i, 0x0a000000 + i);
  const then = p.parts();
  const none = new Uint32Array(0);
  const last = { body: Buffer.alloc(0), key: '', parts: then, ranges: unionParts(then), v6Parts: none, stats: {} as never };
  const gone = new RangePacker();
  gone.addV4(0x0a000000, 0x0a0000ff);
  const got = patchLast(last, { parts: gone.parts(), v6Parts: none }, { parts: new RangePacker().parts(), v6Parts: none });
  t.is(got?.ranges.v4First.length, 64);
  t.deepEqual([...got!.ranges.v4First], [...got!.parts.singles]);
  t.is(got?.delta.add.v4First.length, 64);
  t.is(got?.delta.del.v4First.length, 1);
});

test('patching IPv4 entries refuses a dropped entry the base does not hold (single, range, one copy too many)', (t) => {
  const pack = (es: Array<[number, number]>): V4Parts => {
    const p = new RangePacker();
    for (const [f, l] of es) p.addV4(f, l);
    return p.parts();
  };
  const base = pack([[5, 5], [10, 20], [10, 30], [40, 40]]);
  t.is(patchParts(base, pack([[6, 6]]), pack([])), null, 'a single not held');
  t.is(patchParts(base, pack([[10, 25]]), pack([])), null, 'a range whose first is held, not its last');
  t.is(patchParts(base, pack([[10, 30], [10, 30]]), pack([])), null, 'a range held once, dropped twice');
  t.is(patchParts(base, pack([[50, 60]]), pack([])), null, 'a range past the end');
  t.is(patchParts(base, pack([[40, 40], [40, 40]]), pack([])), null, 'a single held once, dropped twice');
  t.is(patchParts(base, pack([[5, 5], [40, 40], [40, 40]]), pack([[1, 1]])), null, 'the same, with one added');
  const ok = patchParts(base, pack([[10, 20], [40, 40]]), pack([[10, 25], [3, 3]]));
  t.deepEqual(ok && [[...ok.singles], [...ok.otherFirst], [...ok.otherLast]], [[3, 5], [10, 10], [25, 30]]);
});

test('IPv4 parts are Uint32Arrays from the packer and from a patch, up to 255.255.255.255 (one array kind: gallop.ts)', (t) => {
  const pack = (es: Array<[number, number]>): V4Parts => {
    const p = new RangePacker();
    for (const [f, l] of es) p.addV4(f, l);
    return p.parts();
  };
  const top = 0xffffffff;
  // a /8 and a range at the top, a /1 above 2^31, singles on both sides of 2^30 (V8's small integers)
  const base = pack([[0xff000000, top], [0xfffffff0, top], [0x80000000, top], [0x3fffffff, 0x3fffffff], [0x40000000, 0x40000000]]);
  const then = unionParts(base);
  const none = new Uint32Array(0);
  const last = { body: Buffer.alloc(0), key: '', parts: base, ranges: then, v6Parts: none, stats: {} as never };
  const got = patchLast(last, { parts: pack([[0x80000000, top], [0x40000000, 0x40000000]]), v6Parts: none }, { parts: pack([[0xfffffffe, top], [0x50000000, 0x50000001]]), v6Parts: none });
  for (const parts of [base, got!.parts]) {
    for (const a of [parts.singles, parts.otherFirst, parts.otherLast]) t.true(a instanceof Uint32Array);
  }
  const whole = unionParts(pack([[0xff000000, top], [0xfffffff0, top], [0x3fffffff, 0x3fffffff], [0xfffffffe, top], [0x50000000, 0x50000001]]));
  t.deepEqual([[...got!.ranges.v4First], [...got!.ranges.v4Last]], [[...whole.v4First], [...whole.v4Last]]);
  t.deepEqual([...got!.ranges.v4Last], [0x3fffffff, 0x50000001, top]);
  t.deepEqual(diffV4Ranges(then, got!.ranges), got!.delta);
});

test('patching IPv6 entries gives the sorted entries and the merge of the new ones (nested, touching, repeated)', (t) => {
  // entries inside 2001:db8::/112 as (first, width): singles mostly, some wider; few distinct values
  const entry = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }) }));
  const words = (x: number): number[] => [0x20010db8, 0, 0, x];
  const pack = (es: Array<[number, number]>): Uint32Array => {
    const p = new RangePacker();
    for (const [f, w] of es) p.addV6(Uint32Array.from([...words(f), ...words(f + w)]));
    return p.v6Parts();
  };
  fc.assert(fc.property(fc.array(entry, { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 30 }), fc.array(entry, { maxLength: 30 }), (base, drop, add) => {
    const gone = new Set(base.length ? drop.map((d) => d % base.length) : []);
    const now = [...base.filter((_, k) => !gone.has(k)), ...add];
    const got = patchV6Parts(pack(base), pack(base.filter((_, k) => gone.has(k))), pack(add));
    t.deepEqual([...got!], [...pack(now)]);
    const p = new RangePacker();
    for (const [f, w] of now) p.addV6(Uint32Array.from([...words(f), ...words(f + w)]));
    const want = p.finish();
    const u = v6PartsRanges(got!);
    t.deepEqual([[...u.v6First], [...u.v6Last]], [[...want.v6First], [...want.v6Last]]);
  }), { numRuns: 500 });
  // what the base does not hold cannot be taken away: the caller reads the whole body then
  t.is(patchV6Parts(pack([[5, 0]]), pack([[6, 0]]), pack([])), null);
  t.is(patchV6Parts(pack([[5, 0]]), pack([[5, 0], [5, 0]]), pack([])), null);
});

test('a 1% change of a clean IPv6 feed is read in part, and the ranges are those of the whole read', async (t) => {
  const feed = feedOf('plain', false, 'v6');
  const ls = Array.from({ length: 5000 }, (_, k) => (k % 10 === 0 ? `2a01:4f8:${k.toString(16)}::/48\n` : `2a02:db8::${k.toString(16)}\n`));
  const prev = Buffer.from(ls.join(''));
  const next = Buffer.from(edit(ls, [{ at: 0, del: 25, ins: [] }, { at: 2500, del: 1, ins: ['2a03::9\n'] }, { at: 4980, del: 0, ins: ['2a01:4f8:10::/64\n', '2a02:db8::1\n'] }]).join(''));
  const reuse = await takenInPart(t, feed, prev, next);
  t.deepEqual(seen(await refresh(feed, next, 5000, reuse)), seen(await refresh(feed, next, 5000)));
  // a feed with both URLs is read whole (its two bodies are one list)
  const both = { ...feed, urls: { v4: 'http://192.0.2.53/a.txt', v6: 'http://192.0.2.53/b.txt' } };
  t.false(reusableFeed(both));
  t.true(reusableFeed(feed));
});
