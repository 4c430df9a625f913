import test from 'ava';
import { nativeDocument, planGroupSync, syncDocument, VERIFY_MAX_ELEMENTS } from '../../../firmware/src/blocklist/nftSync.js';
import { joinV4 } from '../../../firmware/src/blocklist/elementJson.js';
import { hashSetSize } from '../../../firmware/src/nft/policy.js';
import { emptyContent } from '../../../firmware/src/blocklist/layout.js';
import type { SetContent } from '../../../firmware/src/blocklist/packed.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';

const content = (singles: number[], nets: string[] = []): SetContent => ({
  ...emptyContent(), v4Singles: Uint32Array.from(singles), v4Nets: nets.map((n) => parseEntry(n)),
});
const G = (id: string) => ({ id, dirs: ['out', 'in'] as const });
const base = Array.from({ length: 100 }, (_, i) => 0xcb007100 + i); // 203.0.113.0 + i

test('a small change only deletes and creates the difference (create: fails on an element already there)', (t) => {
  const p = planGroupSync('utm', G('fbothdrop'), content(base), content([...base.slice(1), 0xcb0071f0]));
  const doc = JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] };
  t.deepEqual(doc.nftables.slice(1), [
    { delete: { element: { family: 'inet', table: 'utm', name: 'bl_fbothdrop_v4', elem: [0xcb007100] } } },
    { create: { element: { family: 'inet', table: 'utm', name: 'bl_fbothdrop_v4', elem: [0xcb0071f0] } } },
  ]);
  t.deepEqual(p.stats, { added: 1, deleted: 1, intervalSetsReplaced: 0 });
  t.deepEqual(p.verify, [{ set: 'bl_fbothdrop_v4', expected: 100 }]);
});

test('a first load flushes and adds the whole set in the same transaction', (t) => {
  const p = planGroupSync('utm', G('g'), emptyContent(), content(base));
  const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  t.deepEqual(Object.keys(cmds[0]!), ['flush']);
  t.is(cmds[1]!.add.element.elem.length, 100);
  t.deepEqual(p.verify, [], 'a flushed and refilled set depends on nothing the kernel held: not read back');
});

test('a load after a much smaller list (the warm-up\'s one entry) flushes and refills with the exact counts, kept entry or not', (t) => {
  for (const [prev, added, deleted] of [[[0xcb007105], 99, 0], [[0xcb0071f0], 100, 1], [[0xcb007100, 0xcb0071f0, 0xcb0071f1], 99, 2]] as const) {
    const p = planGroupSync('utm', G('g'), content([...prev]), content(base));
    const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
    t.deepEqual(Object.keys(cmds[0]!), ['flush']);
    t.is(cmds[1]!.add.element.elem.length, 100);
    t.deepEqual(p.stats, { added, deleted, intervalSetsReplaced: 0 });
    t.deepEqual(p.verify, []);
  }
  // and the other way: most of a list gone
  const shrink = planGroupSync('utm', G('g'), content(base), content(base.slice(0, 10)));
  t.deepEqual(shrink.stats, { added: 0, deleted: 90, intervalSetsReplaced: 0 });
});

test('the interval set (rare lengths) is edited by difference too, and replaced when most of it changed', (t) => {
  const few = ['192.0.2.0/26', '192.0.2.128/27', '198.51.100.0/25', '198.51.100.128/29', '198.51.100.192/28', '203.0.113.0/30'];
  const p = planGroupSync('utm', G('g'), content([], few), content([], ['192.0.2.0/26', '192.0.2.128/27', '198.51.100.0/26', ...few.slice(3)]));
  const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  t.deepEqual(cmds, [
    { delete: { element: { family: 'inet', table: 'utm', name: 'bl_g_v4n', elem: [{ prefix: { addr: '198.51.100.0', len: 25 } }] } } },
    { create: { element: { family: 'inet', table: 'utm', name: 'bl_g_v4n', elem: [{ prefix: { addr: '198.51.100.0', len: 26 } }] } } },
  ]);
  const all = planGroupSync('utm', G('g'), content([], ['198.51.100.0/24']), content([], ['198.51.100.0/25', '192.0.2.0/24']));
  const c2 = (JSON.parse(syncDocument([all]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  t.deepEqual(Object.keys(c2[0]!), ['flush']);
  t.is(all.stats.intervalSetsReplaced, 1);
});

const masked = (len: number, nets: number[]): SetContent => ({ ...emptyContent(), v4Masked: [{ len, nets: Uint32Array.from(nets) }] });
const p24 = Array.from({ length: 100 }, (_, i) => 0x0b000000 + i * 256); // 11.0.0.0/24, 11.0.1.0/24, …

test('a new prefix length: its hash set is created and filled, and the lookup chains rewritten, in one plan', (t) => {
  const p = planGroupSync('utm', { id: 'g', dirs: ['out'] }, emptyContent(), masked(24, p24));
  const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  t.deepEqual(cmds[0], { add: { set: { family: 'inet', table: 'utm', name: 'bl_g_v4_p24', type: 'ipv4_addr', size: 768 } } });
  t.is(cmds[1]!.add.element.name, 'bl_g_v4_p24');
  t.is(cmds[1]!.add.element.elem[1], 0x0b000100, '11.0.1.0, as a number');
  t.deepEqual(cmds[2], { flush: { chain: { family: 'inet', table: 'utm', name: 'bl_g_out_v4' } } });
  const rules = cmds.slice(3).map((c) => c.add.rule);
  t.true(rules.every((r) => r.chain === 'bl_g_out_v4'));
  t.deepEqual(rules[1].expr, [
    { match: { op: '==', left: { '&': [{ payload: { protocol: 'ip', field: 'daddr' } }, '255.255.255.0'] }, right: '@bl_g_v4_p24' } },
    { jump: { target: 'bl_g_out' } },
  ]);
  t.is(rules.length, 3, 'singles, /24, interval set');
});

test('a prefix change inside a masked set is a delete plus a create; no chain is touched', (t) => {
  const p = planGroupSync('utm', G('g'), masked(24, p24), masked(24, [...p24.slice(1), 0x0c000000]));
  const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  t.deepEqual(cmds, [
    { delete: { element: { family: 'inet', table: 'utm', name: 'bl_g_v4_p24', elem: [0x0b000000] } } },
    { create: { element: { family: 'inet', table: 'utm', name: 'bl_g_v4_p24', elem: [0x0c000000] } } },
  ]);
});

test('a length no longer used: its set is deleted after the rules that looked it up are gone', (t) => {
  const p = planGroupSync('utm', G('g'), masked(24, p24), emptyContent());
  const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
  const flushAt = cmds.findIndex((c) => c.flush?.chain);
  const delAt = cmds.findIndex((c) => c.delete?.set);
  t.true(flushAt >= 0 && delAt > flushAt);
  t.is(cmds[delAt]!.delete.set.name, 'bl_g_v4_p24');
  t.is(cmds.filter((c) => c.flush?.chain).length, 2, 'both directions');
});

test('nothing changed: no commands at all', (t) => {
  const p = planGroupSync('utm', G('g'), content(base, ['192.0.2.0/24']), content(base, ['192.0.2.0/24']));
  t.deepEqual(p.cmds, []);
  t.deepEqual(p.verify, []);
});

test('IPv4 elements are written as their 32-bit numbers, in decimal, as bytes', (t) => {
  const xs = Uint32Array.from([0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 99_999_999, 100_000_000, 999_999_999, 1_000_000_000, 0x01020304, 0x0a0b0c0d, 0x64646464, 0xffffffff]);
  t.deepEqual(JSON.parse(`[${joinV4(xs).toString()}]`), Array.from(xs));
  t.is(joinV4(new Uint32Array(0)).length, 0);
  t.is(joinV4(Uint32Array.of(0xc0000201)).toString(), '3221225985', '192.0.2.1');
  t.is(joinV4(Uint32Array.of(5, 10_005, 100_000_005)).toString(), '5,10005,100000005', 'zeros inside a number are kept');
  // every digit count at every position, and random addresses
  const all = new Uint32Array(40_000);
  for (let i = 0; i < all.length; i++) all[i] = i < 20_000 ? Math.floor(10 ** ((i % 100) / 10.2)) + (i >> 7) : (Math.random() * 2 ** 32) >>> 0;
  t.deepEqual(JSON.parse(`[${joinV4(all).toString()}]`), Array.from(all));
});

test('large sets are not read back (counted by construction)', (t) => {
  const big = Array.from({ length: VERIFY_MAX_ELEMENTS + 2 }, (_, i) => 0x01000000 + i * 2);
  const p = planGroupSync('utm', G('g'), content(big), content(big.slice(1)));
  t.deepEqual(p.verify, []);
  t.is(p.stats.deleted, 1);
});

test('the change a content patch reports replaces the diff only when it leads from exactly prev to exactly next', (t) => {
  const prev = content(base);
  const next = content([...base.slice(2), 0xcb0071f0]);
  const right = { from: prev, to: next, singles: { del: Uint32Array.from(base.slice(0, 2)), add: Uint32Array.of(0xcb0071f0) }, masked: [] };
  const plain = planGroupSync('utm', G('g'), prev, next);
  t.deepEqual(planGroupSync('utm', G('g'), prev, next, right), plain);
  // a change from another content (a full apply came between): ignored, the sets are diffed
  const stale = { ...right, from: content(base), singles: { del: Uint32Array.of(1), add: Uint32Array.of(2) } };
  t.deepEqual(planGroupSync('utm', G('g'), prev, next, stale), plain);
  // trusted as given when it fits: the planner does not walk the arrays again
  const odd = { ...right, singles: { del: Uint32Array.of(base[0]!), add: Uint32Array.of() } };
  t.is(planGroupSync('utm', G('g'), prev, next, odd).stats.deleted, 1);
});

test('hash set sizes: 3·2^k with an eighth to spare, at least 768', (t) => {
  t.deepEqual([0, 1, 682, 683, 1365, 1366, 100_000, 1_000_000].map(hashSetSize), [768, 768, 768, 1536, 1536, 3072, 196_608, 1_572_864]);
  for (let n = 0; n < 5000; n += 7) {
    const size = hashSetSize(n);
    t.true(size >= n + n / 8 && (size === 768 || size / 2 < n + Math.ceil(n / 8)), `${n}: ${size}`);
  }
});

test('a count that moves to another size: the set is declared again, between the flush of its lookup chains and their rules, in one plan', (t) => {
  const many = Array.from({ length: 1000 }, (_, i) => 0xcb000000 + i * 3); // 203.0.0.0 + 3i
  for (const [from, to] of [[base, many], [many, base]] as const) {
    const p = planGroupSync('utm', G('g'), content(from), content(to));
    const cmds = (JSON.parse(syncDocument([p]).toString()) as { nftables: Record<string, any>[] }).nftables.slice(1);
    const kinds = cmds.map((c) => `${Object.keys(c)[0]} ${Object.keys(Object.values(c)[0] as object)[0]}`);
    t.deepEqual(kinds, ['flush chain', 'flush chain', 'delete set', 'add set', 'add element', 'add rule', 'add rule', 'add rule', 'add rule'], kinds.join(', '));
    t.deepEqual(cmds[2]!.delete.set.name, 'bl_g_v4');
    t.deepEqual(cmds[3]!.add.set, { family: 'inet', table: 'utm', name: 'bl_g_v4', type: 'ipv4_addr', size: hashSetSize(to.length) });
    t.is(cmds[4]!.add.element.elem.length, to.length);
    t.deepEqual(cmds.slice(5).map((c) => c.add.rule.chain), ['bl_g_out_v4', 'bl_g_out_v4', 'bl_g_in_v4', 'bl_g_in_v4']);
    const kept = from.filter((x) => to.includes(x)).length;
    t.deepEqual(p.stats, { added: to.length - kept, deleted: from.length - kept, intervalSetsReplaced: 0 });
    t.deepEqual(p.verify, [], 'declared again: depends on nothing the kernel held');
  }
  // within one size: no set is declared again, whatever the change
  const within = planGroupSync('utm', G('g'), content(many.slice(0, 700)), content(many.slice(300, 1000)));
  const text = syncDocument([within]).toString();
  t.false(text.includes('"add":{"set"') || text.includes('"delete":{"set"') || text.includes('"chain"'));
});

test('element changes only also come in nft\'s own syntax (an IPv4 address as its number); anything else (a refill, a new length, a name nft would not take as it is) has none', (t) => {
  const small = planGroupSync('utm', G('g'), content(base, ['10.0.0.0/8', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/28']), content([...base.slice(1), 0xcb0071f0], ['10.0.0.0/8', '192.0.2.0/24', '198.51.100.0/24', '198.18.0.0/15']));
  t.deepEqual(small.native, [
    'delete element inet utm bl_g_v4 { 3405803776 }', // 203.0.113.0
    'create element inet utm bl_g_v4 { 3405804016 }', // 203.0.113.240
    'delete element inet utm bl_g_v4n { 203.0.113.0/28 }',
    'create element inet utm bl_g_v4n { 198.18.0.0/15 }',
  ]);
  t.is(nativeDocument([small]), `${small.native?.join('\n')}\n`);
  const inMasked = planGroupSync('utm', G('g'), masked(24, p24), masked(24, [...p24.slice(1), 0x0c000000]));
  t.deepEqual(inMasked.native, ['delete element inet utm bl_g_v4_p24 { 184549376 }', 'create element inet utm bl_g_v4_p24 { 201326592 }']); // 11.0.0.0, 12.0.0.0
  t.deepEqual(planGroupSync('utm', G('g'), content(base), content(base)).native, [], 'nothing to do');
  t.is(planGroupSync('utm', G('g'), emptyContent(), content(base)).native, null, 'a first load (flush and refill)');
  t.is(planGroupSync('utm', G('g'), masked(24, p24), emptyContent()).native, null, 'a length no longer used (a set deleted, chains rewritten)');
  t.is(planGroupSync('utm', G('g'), emptyContent(), masked(24, p24)).native, null, 'a new length');
  t.is(planGroupSync('utm-x', G('g'), content(base), content(base.slice(1))).native, null, 'a table name with a dash');
  t.is(nativeDocument([small, planGroupSync('utm', G('h'), emptyContent(), content(base))]), null, 'one plan without it: the JSON document');
});
