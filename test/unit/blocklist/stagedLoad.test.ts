// The staged load's plan (blocklist/stagedLoad.ts through nftSync.ts planGroupSync): which
// loads stage, what each step holds, and that the parts together hold the list exactly once.
// Against the kernel: test/integration/blocklist/stagedLoad.test.ts.
import test from 'ava';
import { planGroupSync, type StageOptions } from '../../../firmware/src/blocklist/nftSync.js';
import { fragmentsDocument, type Fragment } from '../../../firmware/src/blocklist/elementJson.js';
import { wantsStage } from '../../../firmware/src/blocklist/stagedLoad.js';
import { hashSetSize } from '../../../firmware/src/nft/policy.js';
import { emptyContent } from '../../../firmware/src/blocklist/layout.js';
import type { SetContent } from '../../../firmware/src/blocklist/packed.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';

type Cmd = Record<string, any>;
const cmds = (frags: readonly Fragment[]): Cmd[] => (JSON.parse(fragmentsDocument(frags).toString()) as { nftables: Cmd[] }).nftables.slice(1);
const G = { id: 'g', dirs: ['out', 'in'] as const };
const singles = (n: number, from = 0): Uint32Array => Uint32Array.from({ length: n }, (_, i) => 0x01000000 + 2 * (i + from));
const content = (s: Uint32Array, p24: number, nets: string[] = []): SetContent => ({
  ...emptyContent(), v4Singles: s,
  v4Masked: p24 ? [{ len: 24, nets: Uint32Array.from({ length: p24 }, (_, i) => 0x0b000000 + i * 512) }] : [],
  v4Nets: nets.map((x) => parseEntry(x)),
});
const stage = (gen: 0 | 1 = 0, parts = 2): StageOptions => ({ gens: new Map([['g/v4', gen]]), minElements: 1000, parts });
/** Elements of one set across some commands. */
const elems = (cs: Cmd[], set: string): unknown[] => cs.filter((c) => c.add?.element?.name === set).flatMap((c) => c.add.element.elem as unknown[]);

test('a first load at or above the least size stages: declare the other names empty, fill in parts, swap the rules, drop the old sets', (t) => {
  const next = content(singles(5001), 100, ['192.0.2.32/27']);
  const p = planGroupSync('utm', G, emptyContent(), next, null, stage());
  const declare = cmds(p.declare);
  t.deepEqual(declare.map((c) => `${Object.keys(c)[0]} ${c.add?.set?.name ?? c.flush?.set?.name}`), [
    'add bl_g_v4b', 'flush bl_g_v4b', 'add bl_g_v4b_p24', 'flush bl_g_v4b_p24', 'add bl_g_v4bn', 'flush bl_g_v4bn',
  ]);
  t.is(declare[0]!.add.set.size, hashSetSize(5001), 'declared at the size its count calls for');
  t.deepEqual(declare[4]!.add.set.flags, ['interval']);
  t.is(p.fill.length, 2);
  const parts = p.fill.map((f) => cmds(f()));
  t.true(parts.every((c) => c.every((x) => Object.keys(x)[0] === 'add' && x.add.element)), 'the fill only adds elements');
  t.deepEqual(parts.map((c) => elems(c, 'bl_g_v4b').length), [2500, 2501], 'the parts are about equal');
  t.deepEqual(parts.flatMap((c) => elems(c, 'bl_g_v4b')), Array.from(next.v4Singles), 'together: every single once, in order');
  t.deepEqual(parts.flatMap((c) => elems(c, 'bl_g_v4b_p24')), Array.from(next.v4Masked[0]!.nets));
  t.is(parts.flatMap((c) => elems(c, 'bl_g_v4bn')).length, 1);
  const main = cmds(p.cmds);
  const verbs = main.map((c) => `${Object.keys(c)[0]} ${Object.keys(Object.values(c)[0] as Cmd)[0]}`);
  // IPv6 (empty both times) changes nothing; IPv4: flush both lookup chains, 3 rules each, then the old sets go
  t.deepEqual(verbs, ['flush chain', 'flush chain', ...Array<string>(6).fill('add rule'), 'delete set', 'delete set']);
  t.true(JSON.stringify(main).includes('"@bl_g_v4b_p24"'), 'the rules look the new sets up');
  t.deepEqual(main.filter((c) => c.delete).map((c) => c.delete.set.name), ['bl_g_v4', 'bl_g_v4n'], 'the old generation had no /24 set');
  t.deepEqual(p.gens, [['g/v4', 1]]);
  t.deepEqual(p.stats, { added: 5102, deleted: 0, intervalSetsReplaced: 0 });
  t.deepEqual(p.verify, [], 'refilled sets are not read back');
});

test('below the least size, or a small change, nothing stages; the names in force are used', (t) => {
  const small = planGroupSync('utm', G, emptyContent(), content(singles(500), 0), null, stage());
  t.deepEqual(small.declare, []);
  t.deepEqual(small.gens, []);
  const prev = content(singles(5000), 100);
  const next = content(singles(5000, 25), 100); // 25 out, 25 in
  const upd = planGroupSync('utm', G, prev, next, null, stage(1));
  t.deepEqual(upd.declare, []);
  const main = cmds(upd.cmds);
  t.deepEqual(main.map((c) => Object.values(c)[0].element.name), ['bl_g_v4b', 'bl_g_v4b'], 'by difference, on the names the kernel has');
  t.deepEqual(upd.native, ['delete element inet utm bl_g_v4b { ' + Array.from(singles(25)).join(',') + ' }', upd.native![1]!]);
  // without stage options (a caller that keeps no generations): one transaction, as before
  const plain = planGroupSync('utm', G, emptyContent(), content(singles(5000), 100));
  t.deepEqual(plain.declare, []);
  t.true(cmds(plain.cmds).some((c) => c.add?.element?.name === 'bl_g_v4'));
});

test('the second large load goes back to the first names and drops the other generation, lengths gained and lost', (t) => {
  const prev = content(singles(5000), 100);
  const next = content(singles(20000), 0, ['192.0.2.32/27']);
  const p = planGroupSync('utm', G, prev, next, null, stage(1, 3));
  t.deepEqual(p.gens, [['g/v4', 0]]);
  t.deepEqual(cmds(p.declare).filter((c) => c.add).map((c) => c.add.set.name), ['bl_g_v4', 'bl_g_v4n']);
  t.is(p.fill.length, 3);
  t.deepEqual(p.fill.map((f) => elems(cmds(f()), 'bl_g_v4').length), [6666, 6667, 6667]);
  t.deepEqual(cmds(p.cmds).filter((c) => c.delete).map((c) => c.delete.set.name), ['bl_g_v4b', 'bl_g_v4b_p24', 'bl_g_v4bn']);
  t.deepEqual(p.stats, { added: 15001, deleted: 100, intervalSetsReplaced: 0 });
});

test('IPv6 stages by addresses (four words each), and only the family that needs it', (t) => {
  const words = (n: number): Uint32Array => {
    const out = new Uint32Array(4 * n);
    for (let i = 0; i < n; i++) out.set([0x20010db8, 0, 0, i + 1], 4 * i);
    return out;
  };
  const prev = { ...content(singles(5000), 0) };
  const next = { ...prev, v6Singles: words(3001) };
  const p = planGroupSync('utm', G, prev, next, null, { gens: new Map(), minElements: 1000, parts: 2 });
  t.deepEqual(p.gens, [['g/v6', 1]], 'IPv4 did not change: it keeps its sets and names');
  const parts = p.fill.map((f) => cmds(f()));
  t.deepEqual(parts.map((c) => elems(c, 'bl_g_v6b').length), [1500, 1501]);
  t.deepEqual(parts.flatMap((c) => elems(c, 'bl_g_v6b')).slice(1499, 1502), ['2001:db8::5dc', '2001:db8::5dd', '2001:db8::5de']);
});

test('wantsStage: the least size, a size class crossed, a length gained, a set more than half replaced', (t) => {
  const s = (singles: number, masked: Array<[number, number]> = []) => ({ singles, masked: masked.map(([len, n]) => ({ len, n })), total: singles + masked.reduce((a, [, n]) => a + n, 0) });
  t.false(wantsStage(s(0), s(900), 1000, hashSetSize), 'too small');
  t.true(wantsStage(s(0), s(1000), 1000, hashSetSize), 'a first load');
  t.false(wantsStage(s(5000), s(5050), 1000, hashSetSize), 'a small change in the same size class');
  t.true(wantsStage(s(5000), s(7000), 1000, hashSetSize), 'another size class');
  t.true(wantsStage(s(5000, [[24, 100]]), s(5000, [[24, 100], [20, 70]]), 1000, hashSetSize), 'a length gained');
  t.true(wantsStage(s(5000, [[24, 100]]), s(5000, [[24, 300]]), 1000, hashSetSize), 'a masked set three times larger');
});
