import test from 'ava';
import { joinV4, planGroupSync, syncDocument, VERIFY_MAX_ELEMENTS } from '../../../firmware/src/blocklist/nftSync.js';
import { v4Text } from '../../../firmware/src/blocklist/packed.js';
import { emptyContent } from '../../../firmware/src/blocklist/layout.js';
import type { SetContent } from '../../../firmware/src/blocklist/packed.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';

const content = (singles: number[], nets: string[] = []): SetContent => ({
  ...emptyContent(), v4Singles: Uint32Array.from(singles), v4Nets: nets.map((n) => parseEntry(n)),
});
const base = Array.from({ length: 100 }, (_, i) => 0xcb007100 + i); // 203.0.113.0 + i

test('a small change only deletes and creates the difference (create: fails on an element already there)', (t) => {
  const p = planGroupSync('utm', 'fbothdrop', content(base), content([...base.slice(1), 0xcb0071f0]));
  const doc = JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] };
  t.deepEqual(doc.nftables.slice(1), [
    { delete: { element: { family: 'inet', table: 'utm', name: 'bl_fbothdrop_v4', elem: ['203.0.113.0'] } } },
    { create: { element: { family: 'inet', table: 'utm', name: 'bl_fbothdrop_v4', elem: ['203.0.113.240'] } } },
  ]);
  t.deepEqual(p.stats, { added: 1, deleted: 1, intervalSetsReplaced: 0 });
  t.deepEqual(p.verify, [{ set: 'bl_fbothdrop_v4', expected: 100 }]);
});

test('a first load flushes and adds the whole set in the same transaction', (t) => {
  const p = planGroupSync('utm', 'g', emptyContent(), content(base));
  const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  t.deepEqual(Object.keys(cmds[0]!), ['flush']);
  t.is(cmds[1]!.add.element.elem.length, 100);
});

test('interval sets are replaced whole (flush + add), never edited', (t) => {
  const p = planGroupSync('utm', 'g', content([], ['198.51.100.0/24']), content([], ['198.51.100.0/25', '192.0.2.0/24']));
  const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  t.deepEqual(cmds, [
    { flush: { set: { family: 'inet', table: 'utm', name: 'bl_g_v4n' } } },
    { add: { element: { family: 'inet', table: 'utm', name: 'bl_g_v4n', elem: [{ prefix: { addr: '198.51.100.0', len: 25 } }, { prefix: { addr: '192.0.2.0', len: 24 } }] } } },
  ]);
  t.false(JSON.stringify(cmds).includes('"delete"'));
});

test('nothing changed: no commands at all', (t) => {
  const p = planGroupSync('utm', 'g', content(base, ['192.0.2.0/24']), content(base, ['192.0.2.0/24']));
  t.deepEqual(p.cmds, []);
  t.deepEqual(p.verify, []);
});

test('IPv4 element text written as bytes matches v4Text', (t) => {
  const xs = Uint32Array.from([0, 1, 9, 10, 99, 100, 255, 0x01020304, 0x0a0b0c0d, 0x64646464, 0xffffffff]);
  t.deepEqual(JSON.parse(`[${joinV4(xs).toString()}]`), Array.from(xs, v4Text));
  t.is(joinV4(new Uint32Array(0)).length, 0);
});

test('large sets are not read back (counted by construction)', (t) => {
  const big = Array.from({ length: VERIFY_MAX_ELEMENTS + 2 }, (_, i) => 0x01000000 + i * 2);
  const p = planGroupSync('utm', 'g', content(big), content(big.slice(1)));
  t.deepEqual(p.verify, []);
  t.is(p.stats.deleted, 1);
});
