// The IPv6 side of a snapshot's delta (snapshotDeltaV6.ts, lastGood.ts format 2): a small
// change of an IPv6 list is written as the ranges that left and came, read back exactly, and a
// delta written before (format 1, the whole IPv6 list) is still read.
import test from 'ava';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LastGoodStore, snapshotDir, type FeedSnapshot } from '../../../firmware/src/blocklist/lastGood.js';
import { packRanges } from '../../../firmware/src/blocklist/packed.js';
import { v6IpRanges, v6RangesJson } from '../../../firmware/src/blocklist/packedV6.js';
import { applyV6Delta, diffV6Ranges } from '../../../firmware/src/blocklist/snapshotDeltaV6.js';
import { SnapshotDeltaError } from '../../../firmware/src/blocklist/snapshotDelta.js';
import type { IpRange } from '../../../firmware/src/net/ip.js';

// ranges inside 2001:db8::/96 from (first, width): few values, so that lists share, touch and nest
const arbList = fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 6 })), { maxLength: 60 })
  .map((xs) => packRanges(xs.map(([a, w]): IpRange => ({ family: 6, first: (0x20010db8n << 96n) + BigInt(a), last: (0x20010db8n << 96n) + BigInt(a + w) }))));

test('property: a base with the delta to another list applied is that list; a delta of another base does not fit', (t) => {
  fc.assert(fc.property(arbList, arbList, (a, b) => {
    const d = diffV6Ranges(a, b);
    t.deepEqual(v6IpRanges(applyV6Delta(a, d)), v6IpRanges(b));
    if (d.del.v6First.length) {
      t.throws(() => applyV6Delta(b, d), { instanceOf: SnapshotDeltaError }, 'what it deletes is not in the other list');
    }
  }), { numRuns: 500 });
});

test('the store writes a 1% change of an IPv6 list as a small delta; a restart reads base + delta; a format-1 delta is still read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-lg6-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const list = (n: number, from = 0): IpRange[] => Array.from({ length: n }, (_, i) => {
    const a = (0x2a010000n << 96n) + (BigInt(2 * (from + i)) << 64n); // one /64 each, every other one
    return { family: 6, first: a, last: a + (1n << 64n) - 1n };
  });
  const snap = (entries: IpRange[], savedAt: number): FeedSnapshot => ({ feedId: 'f', savedAt, usable: entries.length, ranges: packRanges(entries) });
  const store = new LastGoodStore(dir);
  await store.save(snap(list(2000), 1));
  const baseBytes = statSync(join(snapshotDir(dir), 'f.snap')).size;
  // 20 of 2,000 gone, 20 new ones (not adjacent to the others)
  const next = snap([...list(1980, 20), ...list(20, 5000)], 2);
  await store.save(next);
  const delta = readFileSync(join(snapshotDir(dir), 'f.delta'), 'utf8');
  t.like(JSON.parse(delta), { version: 2, base: { v6Ranges: 2000 } });
  t.true(delta.length < baseBytes / 2, `delta ${delta.length} bytes, base ${baseBytes}`);
  const back = await new LastGoodStore(dir).loadAll(() => t.fail('nothing broken'));
  t.deepEqual(v6IpRanges(back[0]!.ranges), v6IpRanges(next.ranges));
  // the delta the firmware before wrote: version 1, the whole IPv6 list
  const v1 = { version: 1, feedId: 'f', base: { savedAt: 1, ranges: 0 }, savedAt: 3, usable: 7, del: '', add: '', v6: JSON.parse(v6RangesJson(next.ranges)) as string[] };
  writeFileSync(join(snapshotDir(dir), 'f.delta'), JSON.stringify(v1));
  const old = await new LastGoodStore(dir).loadAll(() => t.fail('a format-1 delta is read'));
  t.deepEqual([old[0]!.savedAt, v6IpRanges(old[0]!.ranges)], [3, v6IpRanges(next.ranges)]);
  // a format-2 delta written against a base with another IPv6 count is stale: the base alone
  writeFileSync(join(snapshotDir(dir), 'f.delta'), delta.replace('"v6Ranges":2000', '"v6Ranges":1999'));
  t.deepEqual((await new LastGoodStore(dir).loadAll(() => t.fail('stale, not broken'))).map((s) => s.savedAt), [1]);
  t.true(existsSync(join(snapshotDir(dir), 'f.snap')));
});
