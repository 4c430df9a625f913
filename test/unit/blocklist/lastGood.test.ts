import test from 'ava';
import { v6IpRanges } from '../../../firmware/src/blocklist/packedV6.js';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSnapshot, encodeDelta, encodeSnapshot, LastGoodError, LastGoodStore, snapshotDir } from '../../../firmware/src/blocklist/lastGood.js';
import { packedHasV4, packRanges } from '../../../firmware/src/blocklist/packed.js';
import { applyV4Delta, diffV4Ranges, SnapshotDeltaError, V4Diffs } from '../../../firmware/src/blocklist/snapshotDelta.js';
import { parseEntry, type IpRange } from '../../../firmware/src/net/ip.js';

test('property: a snapshot decodes to the same ranges', (t) => {
  const arb = fc.array(fc.tuple(fc.integer({ min: 0, max: 0xfffff000 }), fc.integer({ min: 0, max: 300 })), { maxLength: 50 })
    .map((xs) => xs.map(([a, l]): IpRange => ({ family: 4, first: BigInt(a), last: BigInt(a + l) })));
  fc.assert(fc.property(arb, (rs) => {
    const ranges = packRanges([...rs, parseEntry('2001:db8::/64')]);
    const back = decodeSnapshot(encodeSnapshot({ feedId: 'x', savedAt: 5, usable: rs.length, ranges }));
    t.deepEqual(Array.from(back.ranges.v4First), Array.from(ranges.v4First));
    t.deepEqual(Array.from(back.ranges.v4Last), Array.from(ranges.v4Last));
    t.deepEqual(v6IpRanges(back.ranges), v6IpRanges(ranges));
    t.is(back.usable, rs.length);
  }));
});

test('the encoder writes format 2 byte for byte, across its chunks (250k ranges: singles apart, base64 of uint32s)', (t) => {
  // the text as format 2 defines it, written the plain way: the file must not change with how it is encoded
  const n = 250_000;
  const v4First = new Uint32Array(n);
  const v4Last = new Uint32Array(n);
  let v = 0x01000000;
  for (let i = 0; i < n; i++) {
    v += 2 + ((i * 7919) % 300);
    v4First[i] = v;
    v4Last[i] = i % 33 === 0 ? v + 255 : v;
    v = v4Last[i]!;
  }
  const ranges = { ...packRanges([parseEntry('2001:db8::/64')]), v4First, v4Last };
  const singles: number[] = [];
  const pairs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (v4First[i] === v4Last[i]) singles.push(v4First[i]!);
    else pairs.push(v4First[i]!, v4Last[i]!);
  }
  const b64 = (xs: number[]): string => Buffer.from(Uint32Array.from(xs).buffer).toString('base64');
  const want = JSON.stringify({ version: 2, feedId: 'x', savedAt: 5, usable: n, v4Singles: b64(singles), v4Ranges: b64(pairs), v6: ['2001:db8::/64'] });
  const text = encodeSnapshot({ feedId: 'x', savedAt: 5, usable: n, ranges });
  t.true(text === want);
  t.deepEqual(Array.from(decodeSnapshot(text).ranges.v4Last), Array.from(v4Last));
});

test('a snapshot with overlapping or unsorted ranges is refused', (t) => {
  const pairs = Buffer.from(Uint32Array.from([10, 20, 15, 30]).buffer);
  const text = JSON.stringify({ version: 1, feedId: 'x', savedAt: 0, usable: 2, v4: pairs.toString('base64'), v6: [] });
  t.throws(() => decodeSnapshot(text), { instanceOf: LastGoodError });
  t.throws(() => decodeSnapshot('{"version":1}'), { instanceOf: LastGoodError });
  t.throws(() => decodeSnapshot('not json'), { instanceOf: LastGoodError });
});

test('the store saves atomically, loads all, and skips a broken file with a report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-lg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new LastGoodStore(dir);
  await store.save({ feedId: 'a', savedAt: 1, usable: 1, ranges: packRanges([parseEntry('192.0.2.1')]) });
  mkdirSync(snapshotDir(dir), { recursive: true });
  writeFileSync(join(snapshotDir(dir), 'b.json'), '{broken');
  const broken: string[] = [];
  const all = await store.loadAll((f) => broken.push(f));
  t.deepEqual(all.map((s) => s.feedId), ['a']);
  t.deepEqual(broken, ['b.json']);
  await store.remove('a');
  t.deepEqual(await store.loadAll(() => undefined), []);
  t.deepEqual(await new LastGoodStore(join(dir, 'none')).loadAll(() => undefined), []);
});

const arbPacked = fc.array(fc.tuple(fc.integer({ min: 0, max: 0xfffff000 }), fc.integer({ min: 0, max: 300 })), { maxLength: 60 })
  .map((xs) => packRanges(xs.map(([a, l]): IpRange => ({ family: 4, first: BigInt(a), last: BigInt(a + l) }))));

test('property: a base with the delta to another list applied is that list', (t) => {
  fc.assert(fc.property(arbPacked, arbPacked, fc.integer({ min: 0, max: 3 }), (a, b, mix) => {
    // lists that share most ranges (the usual refresh) and lists that share none
    const next = mix === 0 ? b : packRanges([...Array.from(a.v4First, (f, i) => ({ family: 4 as const, first: BigInt(f), last: BigInt(a.v4Last[i] ?? f) })).filter((_, i) => i % (mix + 1) !== 0),
      ...Array.from(b.v4First, (f, i) => ({ family: 4 as const, first: BigInt(f), last: BigInt(b.v4Last[i] ?? f) })).slice(0, 3)]);
    const d = diffV4Ranges(a, next);
    const back = applyV4Delta(a, d);
    t.deepEqual([Array.from(back.v4First), Array.from(back.v4Last)], [Array.from(next.v4First), Array.from(next.v4Last)]);
  }));
  // a delta of another base does not fit
  const a = packRanges([parseEntry('192.0.2.0/24')]);
  const b = packRanges([parseEntry('198.51.100.0/24')]);
  t.throws(() => applyV4Delta(b, diffV4Ranges(a, b)), { instanceOf: SnapshotDeltaError });
});

test('V4Diffs walks a pair of lists once: the group patch and the snapshot delta share the change', (t) => {
  const a = packRanges([parseEntry('192.0.2.0/24'), parseEntry('198.51.100.7')]);
  const b = packRanges([parseEntry('192.0.2.0/24'), parseEntry('198.51.100.9')]);
  const c = packRanges([parseEntry('203.0.113.1')]);
  const diffs = new V4Diffs();
  const d = diffs.diff(a, b);
  t.deepEqual(d, diffV4Ranges(a, b));
  t.is(diffs.diff(a, b), d); // the same pair: the same answer, no second walk
  t.deepEqual(diffs.diff(b, a), diffV4Ranges(b, a)); // another order is another pair
  t.deepEqual(diffs.diff(a, c), diffV4Ranges(a, c));
  // an equal list that is another object is walked again (identity, not content)
  const a2 = packRanges([parseEntry('192.0.2.0/24'), parseEntry('198.51.100.7')]);
  t.not(diffs.diff(a2, b), d);
  t.deepEqual(diffs.diff(a2, b), d);
});

test('V4Diffs takes a change known another way (a patched feed) for the same lists, also copied into another object', (t) => {
  const a = packRanges([parseEntry('192.0.2.0/24'), parseEntry('198.51.100.7')]);
  const b = packRanges([parseEntry('192.0.2.0/24'), parseEntry('198.51.100.9')]);
  const diffs = new V4Diffs();
  const known = diffV4Ranges(a, b);
  diffs.remember(a, b, known);
  t.is(diffs.diff({ ...a }, { ...b }), known, 'the same arrays: no walk');
  t.not(diffs.diff(b, a), known);
});

test('the store writes a small change as a delta beside its base, a large one as a new base; a restart reads base + delta', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-lg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const list = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `198.51.${Math.floor((from + i) / 100)}.${((from + i) % 100) * 2}`);
  const snap = (entries: string[], savedAt: number) => ({ feedId: 'f', savedAt, usable: entries.length, ranges: packRanges([...entries.map((e) => parseEntry(e)), parseEntry('2001:db8::/48')]) });
  const store = new LastGoodStore(dir);
  await store.save(snap(list(100), 1));
  const baseText = readFileSync(join(snapshotDir(dir), 'f.snap'), 'utf8');
  // 2 of 100 changed: a delta; the base file untouched
  await store.save(snap([...list(98), '203.0.113.1', '203.0.113.3'], 2));
  t.is(readFileSync(join(snapshotDir(dir), 'f.snap'), 'utf8'), baseText);
  t.true(existsSync(join(snapshotDir(dir), 'f.delta')));
  const back = await new LastGoodStore(dir).loadAll(() => t.fail('nothing broken'));
  t.deepEqual(back.map((s) => [s.savedAt, s.usable, s.ranges.v4First.length, s.ranges.v6First.length / 4]), [[2, 100, 100, 1]]);
  const has = (a: string): boolean => packedHasV4(back[0]!.ranges, Number(parseEntry(a).first));
  t.true(has('203.0.113.1') && !has('198.51.0.198'), 'the change is read back: one added, one removed');
  // half changed: a new base, and the delta removed
  await store.save(snap(list(100, 50), 3));
  t.false(existsSync(join(snapshotDir(dir), 'f.delta')));
  t.deepEqual((await new LastGoodStore(dir).loadAll(() => undefined)).map((s) => s.savedAt), [3]);
});

test('a delta is written ahead beside its place and moved into it by write(); discard() leaves the files as they were', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-lg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const list = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `198.51.${Math.floor((from + i) / 100)}.${((from + i) % 100) * 2}`);
  const snap = (entries: string[], savedAt: number) => ({ feedId: 'f', savedAt, usable: entries.length, ranges: packRanges(entries.map((e) => parseEntry(e))) });
  const files = (): string[] => readdirSync(snapshotDir(dir)).sort();
  const store = new LastGoodStore(dir);
  await store.save(snap(list(100), 1));
  await store.save(snap([...list(99), '203.0.113.1'], 2));
  const delta = readFileSync(join(snapshotDir(dir), 'f.delta'), 'utf8');
  // prepared (the kernel has not answered yet): written beside, not in place
  const refused = await store.prepare(snap([...list(98), '203.0.113.5', '203.0.113.7'], 3));
  for (let i = 0; i < 400 && files().length < 3; i++) await new Promise((r) => setTimeout(r, 5));
  t.is(files().length, 3, `the change written ahead: ${files().join(' ')}`);
  t.is(readFileSync(join(snapshotDir(dir), 'f.delta'), 'utf8'), delta, 'not in place before write()');
  await refused.discard();
  t.deepEqual(files(), ['f.delta', 'f.snap'], 'a refused change leaves nothing behind');
  t.deepEqual((await new LastGoodStore(dir).loadAll(() => t.fail())).map((s) => s.savedAt), [2]);
  const taken = await store.prepare(snap([...list(98), '203.0.113.9', '203.0.113.11'], 4));
  await taken.write();
  t.deepEqual(files(), ['f.delta', 'f.snap']);
  const back = await new LastGoodStore(dir).loadAll(() => t.fail());
  t.deepEqual(back.map((s) => s.savedAt), [4]);
  t.true(packedHasV4(back[0]!.ranges, Number(parseEntry('203.0.113.11').first)));
});

test('a delta of an older base is ignored, a broken one reported; the base is read either way', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-lg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new LastGoodStore(dir);
  const a = { feedId: 'f', savedAt: 1, usable: 1, ranges: packRanges([parseEntry('192.0.2.1')]) };
  await store.save(a);
  const stale = encodeDelta({ ...a, savedAt: 0 }, { ...a, savedAt: 5, ranges: packRanges([parseEntry('192.0.2.9')]) });
  writeFileSync(join(snapshotDir(dir), 'f.delta'), stale.text);
  t.deepEqual((await new LastGoodStore(dir).loadAll(() => t.fail('a stale delta is not an error'))).map((s) => s.savedAt), [1]);
  writeFileSync(join(snapshotDir(dir), 'f.delta'), '{"version":1');
  const broken: string[] = [];
  t.deepEqual((await new LastGoodStore(dir).loadAll((f) => broken.push(f))).map((s) => s.savedAt), [1]);
  t.deepEqual(broken, ['f.delta']);
  await store.remove('f');
  t.deepEqual(readdirSync(snapshotDir(dir)), []);
});

test('a format 1 snapshot (pairs only, written before singles were kept apart) still reads; format 2 checks its merged order', (t) => {
  const pairs = Buffer.from(Uint32Array.from([10, 10, 20, 30]).buffer).toString('base64');
  const v1 = decodeSnapshot(JSON.stringify({ version: 1, feedId: 'x', savedAt: 0, usable: 2, v4: pairs, v6: ['2001:db8::/48'] }));
  t.deepEqual([Array.from(v1.ranges.v4First), Array.from(v1.ranges.v4Last), v1.ranges.v6First.length / 4], [[10, 20], [10, 30], 1]);
  const text = encodeSnapshot({ feedId: 'x', savedAt: 0, usable: 2, ranges: v1.ranges });
  t.is(JSON.parse(text).version, 2);
  t.deepEqual(Array.from(decodeSnapshot(text).ranges.v4First), [10, 20]);
  // a single inside a range of the other list: not written by us
  const bad = { version: 2, feedId: 'x', savedAt: 0, usable: 2, v4Singles: Buffer.from(Uint32Array.from([25]).buffer).toString('base64'), v4Ranges: Buffer.from(Uint32Array.from([20, 30]).buffer).toString('base64'), v6: [] };
  t.throws(() => decodeSnapshot(JSON.stringify(bad)), { instanceOf: LastGoodError });
});

test('a rollback keeps a list: format 2 and its deltas are files older firmware does not read, its own format-1 file is left in place, and the list saved last is loaded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-lg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(snapshotDir(dir), { recursive: true });
  const pairs = Buffer.from(Uint32Array.from([10, 10]).buffer).toString('base64');
  const v1 = JSON.stringify({ version: 1, feedId: 'f', savedAt: 1, usable: 1, v4: pairs, v6: [] });
  writeFileSync(join(snapshotDir(dir), 'f.json'), v1);
  // before any save: the older firmware's list is what this one enforces
  t.deepEqual((await new LastGoodStore(dir).loadAll(() => t.fail())).map((s) => s.savedAt), [1]);
  const store = new LastGoodStore(dir);
  await store.save({ feedId: 'f', savedAt: 2, usable: 1, ranges: packRanges([parseEntry('192.0.2.1')]) });
  await store.save({ feedId: 'f', savedAt: 3, usable: 1, ranges: packRanges([parseEntry('192.0.2.1')]) });
  // what firmware from before format 2 reads (every *.json): only its own, untouched file
  t.deepEqual(readdirSync(snapshotDir(dir)).filter((f) => f.endsWith('.json')), ['f.json']);
  t.is(readFileSync(join(snapshotDir(dir), 'f.json'), 'utf8'), v1);
  // this firmware reads its own base (+ delta), not the older file
  t.deepEqual((await new LastGoodStore(dir).loadAll(() => t.fail())).map((s) => s.savedAt), [3]);
  // the older slot ran again and saved its list later: that one is the last the kernel enforced
  writeFileSync(join(snapshotDir(dir), 'f.json'), v1.replace('"savedAt":1', '"savedAt":9'));
  t.deepEqual((await new LastGoodStore(dir).loadAll(() => t.fail())).map((s) => s.savedAt), [9]);
  await store.remove('f');
  t.deepEqual(readdirSync(snapshotDir(dir)), []);
});

test('IPv4 ranges are uint32s, exact at the ends of the address space: packed, stored, read back, patched by a delta', (t) => {
  const top = 0xffffffff;
  const ranges = packRanges([parseEntry('0.0.0.0/32'), parseEntry('255.255.255.0/25'), parseEntry('255.255.255.128/25'), parseEntry('2001:db8::/64')]);
  t.true(ranges.v4First instanceof Uint32Array && ranges.v4Last instanceof Uint32Array, 'half the bytes of a Float64Array');
  t.deepEqual([Array.from(ranges.v4First), Array.from(ranges.v4Last)], [[0, 0xffffff00], [0, top]], 'the two /25 merged up to 255.255.255.255');
  const back = decodeSnapshot(encodeSnapshot({ feedId: 'x', savedAt: 5, usable: 3, ranges })).ranges;
  t.deepEqual([Array.from(back.v4First), Array.from(back.v4Last)], [[0, 0xffffff00], [0, top]]);
  t.true(packedHasV4(back, top) && packedHasV4(back, 0) && !packedHasV4(back, 1));
  const next = packRanges([parseEntry('0.0.0.0/32'), parseEntry('255.255.255.255/32')]);
  const d = diffV4Ranges(back, next);
  const patched = applyV4Delta(back, d);
  t.deepEqual([Array.from(patched.v4First), Array.from(patched.v4Last)], [[0, top], [0, top]]);
});
