// The dry-run ruleset backend follows the nft rules the apply path and the features rely on:
// one transaction is all or nothing, `create` of an element that exists and `delete` of one
// that does not refuse the whole transaction, a refusal changes nothing, kept sets keep their
// elements across a full apply, and the read-back is verified against what was rendered.
import test from 'ava';
import { DryRunBackend, elementKey } from '../../../firmware/src/nft/dryRun.js';
import { NftError } from '../../../firmware/src/nft/driver.js';
import type { NftDocument } from '../../../firmware/src/nft/json.js';
import { holdReadBacks } from '../../helpers/dryRun.js';

const doc = (elems: string[] = []): NftDocument => ({
  nftables: [
    { add: { table: { family: 'inet', name: 'utm' } } },
    { delete: { table: { family: 'inet', name: 'utm' } } },
    { add: { table: { family: 'inet', name: 'utm' } } },
    { add: { set: { family: 'inet', table: 'utm', name: 'bl_x_v4', type: 'ipv4_addr', ...(elems.length ? { elem: elems } : {}) } } },
    { add: { set: { family: 'inet', table: 'utm', name: 'lan_seen', type: 'ipv4_addr', flags: ['timeout'] } } },
    { add: { chain: { family: 'inet', table: 'utm', name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } } },
    { add: { rule: { family: 'inet', table: 'utm', chain: 'forward', expr: [{ accept: null }] } } },
  ],
});
const elements = (verb: 'add' | 'create' | 'delete', ...elem: string[]): string =>
  JSON.stringify({ nftables: [{ [verb]: { element: { family: 'inet', table: 'utm', name: 'bl_x_v4', elem } } }] });

test('a full apply records the document, sets its elements and becomes last-good', async (t) => {
  const b = new DryRunBackend();
  await b.apply(doc(['192.0.2.1', '192.0.2.2']));
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.1', '192.0.2.2']);
  t.is(b.transactions.length, 1);
  t.true(b.transactions[0]?.taken);
  t.is(b.lastGoodDocument(), JSON.stringify(doc(['192.0.2.1', '192.0.2.2'])));
  const listed = JSON.parse(await b.listSet('inet', 'bl_x_v4')) as { nftables: Array<{ set?: { elem?: string[] } }> };
  t.deepEqual(listed.nftables[1]?.set?.elem, ['192.0.2.1', '192.0.2.2']);
});

test('a refused apply changes nothing and is recorded as refused', async (t) => {
  const b = new DryRunBackend();
  await b.apply(doc(['192.0.2.1']));
  b.refuseNext('Error: Could not process rule: No buffer space available');
  const e = await t.throwsAsync(() => b.apply(doc(['198.51.100.1'])), { instanceOf: NftError });
  t.regex(e?.stderr ?? '', /No buffer space/);
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.1']);
  t.is(b.lastGoodDocument(), JSON.stringify(doc(['192.0.2.1'])));
  t.deepEqual(b.transactions.map((x) => x.taken), [true, false]);
  await b.apply(doc(['198.51.100.1'])); // only the next one was refused
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['198.51.100.1']);
});

test('an element transaction is all or nothing: create of an existing element refuses every command in it', async (t) => {
  const b = new DryRunBackend();
  await b.apply(doc(['192.0.2.1']));
  const both = JSON.stringify({ nftables: [
    { create: { element: { family: 'inet', table: 'utm', name: 'bl_x_v4', elem: ['192.0.2.9'] } } },
    { create: { element: { family: 'inet', table: 'utm', name: 'bl_x_v4', elem: ['192.0.2.1'] } } },
  ] });
  await t.throwsAsync(() => b.transact(both), { instanceOf: NftError, message: /File exists/ });
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.1']);
  await t.throwsAsync(() => b.transact(elements('delete', '203.0.113.7')), { message: /No such file/ });
  await b.transact(elements('create', '192.0.2.9'));
  await b.transact(elements('delete', '192.0.2.1'));
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.9']);
  t.deepEqual(b.transactions.map((x) => `${x.kind}:${x.taken}`), ['apply:true', 'transact:false', 'transact:false', 'transact:true', 'transact:true']);
});

test('a set that does not exist cannot be changed or listed', async (t) => {
  const b = new DryRunBackend();
  await t.throwsAsync(() => b.listSet('inet', 'bl_x_v4'), { instanceOf: NftError });
  await t.throwsAsync(() => b.transact(elements('add', '192.0.2.1')), { instanceOf: NftError });
});

test('kept sets keep what the packet path put in them across a full apply; other sets take the document', async (t) => {
  const b = new DryRunBackend();
  await b.apply(doc(['192.0.2.1']));
  b.put('inet', 'lan_seen', ['192.168.1.10']);
  const r = await b.apply(doc(['192.0.2.2']), ['lan_seen']);
  t.deepEqual(r.kept, ['inet lan_seen']);
  t.deepEqual(b.elements('inet', 'lan_seen'), ['192.168.1.10']);
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.2']);
  await b.apply(doc(['192.0.2.2']));
  t.deepEqual(b.elements('inet', 'lan_seen'), [], 'not named: emptied like any set');
});

test('a read-back that differs from the rendered document fails the apply and does not become last-good', async (t) => {
  const b = new DryRunBackend();
  await b.apply(doc());
  // another program drops our rule behind our back
  b.onReadBack = (d) => ({ nftables: d.nftables.filter((o) => !(typeof o === 'object' && o !== null && 'rule' in o)) });
  await t.throwsAsync(() => b.apply(doc(['192.0.2.5'])), { instanceOf: NftError, message: /read back differs: chain inet utm forward has 0 rules, expected 1/ });
  t.is(b.lastGoodDocument(), JSON.stringify(doc()));
  b.onReadBack = null;
  t.true(await b.restoreLastGood());
  t.deepEqual(b.elements('inet', 'bl_x_v4'), []);
});

test('element keys compare plain, prefix, range, concat and timed elements', (t) => {
  t.is(elementKey('2001:DB8::1'), '2001:db8::1');
  t.is(elementKey({ prefix: { addr: '10.0.0.0', len: 8 } }), '10.0.0.0/8');
  t.is(elementKey({ range: ['10.0.0.1', '10.0.0.9'] }), '10.0.0.1-10.0.0.9');
  t.is(elementKey({ elem: { val: { concat: ['aa:bb:cc:dd:ee:ff', '10.0.0.1'] }, timeout: 60 } }), 'aa:bb:cc:dd:ee:ff . 10.0.0.1');
});

test("the last-good ruleset an earlier run left is restored at boot as one transaction, refusable like any other", async (t) => {
  const fresh = new DryRunBackend();
  t.false(await fresh.restoreLastGood(), 'a new box has nothing to restore');
  t.is(fresh.transactions.length, 0);

  const b = new DryRunBackend('utm', undefined, JSON.stringify(doc(['192.0.2.7'])));
  t.true(await b.restoreLastGood());
  t.deepEqual(b.transactions.map((x) => `${x.kind}:${x.taken}`), ['restore:true']);
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.7']);

  const refusing = new DryRunBackend('utm', undefined, JSON.stringify(doc(['192.0.2.7'])));
  refusing.refuseNext('Error: Could not process rule: No such file or directory');
  await t.throwsAsync(() => refusing.restoreLastGood(), { instanceOf: NftError, message: /refused the ruleset/ });
  t.is(refusing.elements('inet', 'bl_x_v4'), undefined, 'nothing changed');
});

test('a slow read-back holds its apply, and the queue it runs in, until it answers', async (t) => {
  const order: string[] = [];
  let tail: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn);
    tail = p.catch(() => undefined);
    return p;
  };
  const b = new DryRunBackend('utm', serialize);
  const answer = holdReadBacks(b, () => void order.push('read back'));
  const applied = b.apply(doc()).then(() => void order.push('apply done'));
  const changed = b.transact(elements('add', '192.0.2.9')).then(() => void order.push('set update done'));
  await new Promise((r) => setImmediate(r));
  t.deepEqual(order, ['read back']);
  t.is(b.transactions.length, 1, 'the set update waits for the apply');
  answer();
  await Promise.all([applied, changed]);
  t.deepEqual(order, ['read back', 'apply done', 'set update done']);
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.9']);
});

test('like the kernel, a set declared with a size takes no element past it: in a transaction (deletes in it count) and in a full apply', async (t) => {
  const sized = (elems: string[], size = 2): NftDocument => {
    const d = doc(elems);
    const set = d.nftables[3] as unknown as { add: { set: Record<string, unknown> } };
    set.add.set['size'] = size;
    return d;
  };
  const b = new DryRunBackend();
  await b.apply(sized(['192.0.2.1']));
  await b.transact(elements('add', '192.0.2.2'));
  await t.throwsAsync(() => b.transact(elements('add', '192.0.2.3')), { instanceOf: NftError, message: /Too many open files/ });
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.1', '192.0.2.2']);
  // one leaves and one comes in the same transaction: it fits
  await b.transact(JSON.stringify({ nftables: [
    { delete: { element: { family: 'inet', table: 'utm', name: 'bl_x_v4', elem: ['192.0.2.1'] } } },
    { add: { element: { family: 'inet', table: 'utm', name: 'bl_x_v4', elem: ['192.0.2.3'] } } },
  ] }));
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.2', '192.0.2.3']);
  await t.throwsAsync(() => b.apply(sized(['192.0.2.1', '192.0.2.2', '192.0.2.3'])), { instanceOf: NftError, message: /Too many open files/ });
  t.false(b.transactions.at(-1)?.taken, 'recorded as refused');
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.2', '192.0.2.3'], 'a refused apply changes nothing');
  await b.apply(sized(['192.0.2.1', '192.0.2.2', '192.0.2.3'], 768));
  t.deepEqual(b.elements('inet', 'bl_x_v4'), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
});
