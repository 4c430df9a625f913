import test from 'ava';
import { keepDynamicSets, parseKernelTable, sameDefinition, type KernelTable } from '../../../firmware/src/nft/keepSets.js';
import type { NftDocument } from '../../../firmware/src/nft/json.js';

const doc: NftDocument = { nftables: [
  { metainfo: { json_schema_version: 1 } },
  { add: { table: { family: 'inet', name: 'utm' } } },
  { delete: { table: { family: 'inet', name: 'utm' } } },
  { add: { table: { family: 'bridge', name: 'utm' } } },
  { delete: { table: { family: 'bridge', name: 'utm' } } },
  { add: { table: { family: 'inet', name: 'utm' } } },
  { add: { set: { family: 'inet', table: 'utm', name: 'dev_tx_v4', type: 'ipv4_addr', flags: ['timeout'], timeout: 7200, size: 65536, stmt: [{ counter: null }] } } },
  { add: { set: { family: 'inet', table: 'utm', name: 'lan_seen', type: ['ether_addr', 'ipv4_addr'], flags: ['timeout'], timeout: 3600, size: 65536 } } },
  { add: { set: { family: 'inet', table: 'utm', name: 'allow_v4', type: 'ipv4_addr', flags: ['interval'], elem: ['192.0.2.1'] } } },
  { add: { chain: { family: 'inet', table: 'utm', name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } } },
] } as unknown as NftDocument;

const kernelInet: KernelTable = {
  chains: ['forward', 'blocklist'], counters: ['wan_unsolicited'],
  sets: [
    { name: 'dev_tx_v4', type: 'ipv4_addr', flags: ['dynamic', 'timeout'], timeout: 7200, size: 65536, stmt: [{ counter: null }] },
    { name: 'lan_seen', type: ['ether_addr', 'ipv4_addr'], flags: ['timeout'], timeout: 1800, size: 65536 }, // older timeout
    { name: 'allow_v4', type: 'ipv4_addr', flags: ['interval'] },
  ],
};

test('an existing table is flushed and emptied except the unchanged dynamic sets, which are not re-added', (t) => {
  const r = keepDynamicSets(doc, 'utm', { inet: kernelInet }, ['dev_tx_v4', 'lan_seen']);
  t.deepEqual(r.kept, ['inet dev_tx_v4']);
  const text = r.doc.nftables.map((c) => JSON.stringify(c));
  t.false(text.some((c) => c.includes('"delete":{"table":{"family":"inet"')), 'the inet table is not deleted');
  t.true(text.some((c) => c.includes('"delete":{"table":{"family":"bridge"')), 'a table the kernel does not hold keeps the plain replace');
  t.true(text.includes('{"flush":{"table":{"family":"inet","name":"utm"}}}'));
  for (const gone of ['"chain":{"family":"inet","table":"utm","name":"forward"', '"chain":{"family":"inet","table":"utm","name":"blocklist"', '"set":{"family":"inet","table":"utm","name":"allow_v4"', '"set":{"family":"inet","table":"utm","name":"lan_seen"', '"counter":{"family":"inet","table":"utm","name":"wan_unsolicited"']) {
    t.true(text.some((c) => c.startsWith('{"delete":') && c.includes(gone)), `deletes ${gone}`);
  }
  t.false(text.some((c) => c.includes('"delete"') && c.includes('dev_tx_v4')), 'the kept set is never deleted');
  t.false(text.some((c) => c.startsWith('{"add":{"set"') && c.includes('dev_tx_v4')), 'and not re-added (it exists)');
  t.true(text.some((c) => c.startsWith('{"add":{"set"') && c.includes('lan_seen')), 'a changed definition is re-created');
  // the deletes come right where the table delete was: before anything is added again
  const flushAt = text.indexOf('{"flush":{"table":{"family":"inet","name":"utm"}}}');
  const firstSet = text.findIndex((c) => c.startsWith('{"add":{"set"'));
  t.true(flushAt < firstSet);
});

test('without our table in the kernel the document is unchanged', (t) => {
  const r = keepDynamicSets(doc, 'utm', {}, ['dev_tx_v4']);
  t.deepEqual(r.doc, doc);
  t.deepEqual(r.kept, []);
});

test('a rendered set that carries elements is never kept', (t) => {
  const r = keepDynamicSets(doc, 'utm', { inet: kernelInet }, ['allow_v4']);
  t.deepEqual(r.kept, []);
});

test('sameDefinition ignores the dynamic flag the kernel adds, and nothing else', (t) => {
  const want = { type: 'ipv4_addr', flags: ['timeout'], timeout: 7200, size: 65536, stmt: [{ counter: null }] };
  t.true(sameDefinition(want, { name: 'x', type: 'ipv4_addr', flags: ['dynamic', 'timeout'], timeout: 7200, size: 65536, stmt: [{ counter: null }] }));
  t.false(sameDefinition(want, { name: 'x', type: 'ipv4_addr', flags: ['timeout'], timeout: 7200, size: 65536 }));
  t.false(sameDefinition(want, { name: 'x', type: 'ipv6_addr', flags: ['timeout'], timeout: 7200, size: 65536, stmt: [{ counter: null }] }));
  t.false(sameDefinition(want, { name: 'x', type: 'ipv4_addr', flags: ['timeout'], timeout: 7200, size: 1024, stmt: [{ counter: null }] }));
});

test('parseKernelTable reads chains, sets and counters of a terse listing', (t) => {
  const json = JSON.stringify({ nftables: [
    { metainfo: { version: '1.0.6' } },
    { table: { family: 'inet', name: 'utm' } },
    { set: { family: 'inet', table: 'utm', name: 'dev_tx_v4', type: 'ipv4_addr', flags: ['timeout'], timeout: 7200, size: 65536, stmt: [{ counter: null }] } },
    { counter: { family: 'inet', table: 'utm', name: 'c1', packets: 0, bytes: 0 } },
    { chain: { family: 'inet', table: 'utm', name: 'input' } },
    { rule: { family: 'inet', table: 'utm', chain: 'input', expr: [] } },
  ] });
  const k = parseKernelTable(json);
  t.deepEqual(k.chains, ['input']);
  t.deepEqual(k.counters, ['c1']);
  t.is(k.sets[0]!.name, 'dev_tx_v4');
});

test('a table the document deletes and never adds again is deleted whole (bridge mode → router mode)', (t) => {
  const kernelBridge: KernelTable = { chains: ['forward'], counters: [], sets: [{ name: 'lan_seen', type: ['ether_addr', 'ipv4_addr'], flags: ['dynamic', 'timeout'], timeout: 3600, size: 65536 }] };
  const r = keepDynamicSets(doc, 'utm', { inet: kernelInet, bridge: kernelBridge }, ['dev_tx_v4', 'lan_seen']);
  const text = r.doc.nftables.map((c) => JSON.stringify(c));
  t.true(text.includes('{"delete":{"table":{"family":"bridge","name":"utm"}}}'));
  t.false(text.some((c) => c.includes('"flush":{"table":{"family":"bridge"')));
  t.deepEqual(r.kept, ['inet dev_tx_v4']);
});
