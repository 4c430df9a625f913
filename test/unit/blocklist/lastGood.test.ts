import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSnapshot, encodeSnapshot, LastGoodError, LastGoodStore, snapshotDir } from '../../../firmware/src/blocklist/lastGood.js';
import { packRanges } from '../../../firmware/src/blocklist/packed.js';
import { parseEntry, type IpRange } from '../../../firmware/src/net/ip.js';

test('property: a snapshot decodes to the same ranges', (t) => {
  const arb = fc.array(fc.tuple(fc.integer({ min: 0, max: 0xfffff000 }), fc.integer({ min: 0, max: 300 })), { maxLength: 50 })
    .map((xs) => xs.map(([a, l]): IpRange => ({ family: 4, first: BigInt(a), last: BigInt(a + l) })));
  fc.assert(fc.property(arb, (rs) => {
    const ranges = packRanges([...rs, parseEntry('2001:db8::/64')]);
    const back = decodeSnapshot(encodeSnapshot({ feedId: 'x', savedAt: 5, usable: rs.length, ranges }));
    t.deepEqual(Array.from(back.ranges.v4First), Array.from(ranges.v4First));
    t.deepEqual(Array.from(back.ranges.v4Last), Array.from(ranges.v4Last));
    t.deepEqual(back.ranges.v6, ranges.v6);
    t.is(back.usable, rs.length);
  }));
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
