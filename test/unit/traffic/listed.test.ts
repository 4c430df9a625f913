import test from 'ava';
import { listedFromBlocklist } from '../../../firmware/src/traffic/listed.js';
import { localListed } from '../../../firmware/src/traffic/feature.js';
import { buildHitIndex } from '../../../firmware/src/blocklist/hitIndex.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';

const view = {
  hits: buildHitIndex([
    { feedId: 'watchlist', entries: [parseEntry('198.51.100.0/24')] },
    { feedId: 'c2feed', entries: [parseEntry('198.51.100.66'), parseEntry('2001:db8:66::/48')] },
  ]),
  feeds: [
    { id: 'watchlist', category: 'suspicious', action: 'watch' as const },
    { id: 'c2feed', category: 'c2', action: 'drop' as const },
  ],
};

test('a listed address names its feed; a drop feed wins over a watch feed', (t) => {
  const listed = listedFromBlocklist(view, localListed(['203.0.113.66']));
  t.deepEqual(listed('198.51.100.66'), { feedId: 'c2feed', category: 'c2', action: 'block', listedAt: 0 });
  t.deepEqual(listed('198.51.100.5'), { feedId: 'watchlist', category: 'suspicious', action: 'watch', listedAt: 0 });
  t.is(listed('2001:db8:66::1')?.feedId, 'c2feed');
  t.is(listed('203.0.113.66')?.feedId, 'local', 'the local blocklist is the fallback');
  t.is(listed('192.0.2.1'), undefined);
  t.is(listed('not an address'), undefined);
});

test('the hit index is read at lookup time, so a refresh is seen', (t) => {
  const v = { hits: buildHitIndex([]), feeds: view.feeds };
  const listed = listedFromBlocklist(v);
  t.is(listed('198.51.100.66'), undefined);
  v.hits = view.hits;
  t.is(listed('198.51.100.66')?.feedId, 'c2feed');
});
