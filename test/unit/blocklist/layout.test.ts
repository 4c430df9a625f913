import test from 'ava';
import { feedGroupId, layoutGroups, toBlocklistGroup } from '../../../firmware/src/blocklist/layout.js';
import { splitPacked, packRanges } from '../../../firmware/src/blocklist/packed.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';

test('one group per direction × action in use, whatever the number of feeds', (t) => {
  const feeds = [
    { id: 'a', enabled: true, direction: 'both', action: 'drop' },
    { id: 'b', enabled: true, direction: 'both', action: 'drop' },
    { id: 'c', enabled: true, direction: 'inbound', action: 'watch' },
    { id: 'd', enabled: false, direction: 'outbound', action: 'drop' },
  ] as const;
  const g = layoutGroups(feeds);
  t.deepEqual(g.map((x) => [x.id, x.feedIds]), [['fbothdrop', ['a', 'b']], ['finwatch', ['c']]]);
  for (const x of g) t.regex(x.id, /^[a-z0-9]{1,16}$/);
  t.is(feedGroupId('outbound', 'watch'), 'foutwatch');
});

test('renderer group: singles as strings, ranges cut into prefixes; a rare length in the interval set', (t) => {
  const c = splitPacked(packRanges(['192.0.2.1', '198.51.100.0/24', '203.0.113.1-203.0.113.2', '2001:db8::1'].map((s) => parseEntry(s))));
  const g = toBlocklistGroup({ id: 'fbothdrop', direction: 'both', action: 'drop', feedIds: [] }, c);
  t.deepEqual(g.v4, { single: ['192.0.2.1', '203.0.113.1', '203.0.113.2'], masked: [], net: [{ prefix: { addr: '198.51.100.0', len: 24 } }] });
  t.deepEqual(g.v6.single, ['2001:db8::1']);
});
