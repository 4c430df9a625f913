import test from 'ava';
import { joinCounts, parseCounterSet } from '../../../firmware/src/traffic/byteCounters.js';

// The shape nft 1.0.6 prints for `nft -j list set inet utm dev_tx_v4` (captured here).
const listing = (elems: unknown[]) =>
  JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6' } }, { set: { family: 'inet', name: 'dev_tx_v4', table: 'utm', type: 'ipv4_addr', flags: ['timeout'], timeout: 7200, elem: elems, stmt: [{ counter: null }] } }] });

test('elements with counters become per-address counts; malformed ones are skipped and counted', (t) => {
  const r = parseCounterSet(listing([
    { elem: { val: '192.168.77.9', expires: 7199, counter: { packets: 12, bytes: 3400 } } },
    { elem: { val: '2001:db8:77::9', expires: 10, counter: { packets: 1, bytes: 80 } } },
    { elem: { val: '999.1.1.1', counter: { packets: 1, bytes: 1 } } },
    { elem: { val: '192.168.77.10' } },
    'junk',
  ]));
  t.deepEqual([...r.counts], [['192.168.77.9', { bytes: 3400, packets: 12 }], ['2001:db8:77::9', { bytes: 80, packets: 1 }]]);
  t.is(r.skipped, 3);
  t.is(parseCounterSet('not json').skipped, 1);
  t.is(parseCounterSet('{}').counts.size, 0);
});

test('sent and received counts are joined per device, biggest sender first', (t) => {
  const tx = new Map([['192.168.77.9', { bytes: 10, packets: 1 }], ['192.168.77.10', { bytes: 500, packets: 5 }]]);
  const rx = new Map([['192.168.77.9', { bytes: 900, packets: 9 }], ['192.168.77.11', { bytes: 7, packets: 1 }]]);
  t.deepEqual(joinCounts(tx, rx).map((d) => [d.ip, d.txBytes, d.rxBytes]), [
    ['192.168.77.10', 500, 0],
    ['192.168.77.9', 10, 900],
    ['192.168.77.11', 0, 7],
  ]);
});
