import test from 'ava';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { blocklistFinding } from '../../../firmware/src/alerts/fromPacket.js';
import { describeHit } from '../../../firmware/src/blocklist/describe.js';
import { layoutGroups } from '../../../firmware/src/blocklist/layout.js';
import { packRanges } from '../../../firmware/src/blocklist/packed.js';
import type { ResolvedFeed } from '../../../firmware/src/config/feedCatalog.js';
import { parseEntry } from '../../../firmware/src/net/ip.js';
import { buildCatalog } from '../../../webui/src/i18n/alerts/index.js';
import { explainAlert } from '../../../webui/src/i18n/explain.js';

const feed = (id: string, category: string, action: 'drop' | 'watch'): ResolvedFeed => ({
  id, name: { ja: `名前${id}`, en: id }, description: { ja: 'x', en: 'x' }, urls: { v4: 'http://192.0.2.53/x' }, format: 'plain',
  allowHostBits: false, category, direction: 'both', action, refresh: '0 * * * *', minEntries: 1, maxShrinkRatio: 0.5,
  maxRejectRatio: 0.1, maxBytes: 1 << 20, enabledByDefault: true, enabled: true, source: 'shipped',
} as ResolvedFeed);

const feeds = [feed('c2list', 'c2', 'drop'), feed('scan', 'scanner', 'watch'), feed('spam', 'spam', 'drop')];
const layout = layoutGroups(feeds);
const hits = { feeds: [
  { feedId: 'c2list', ...packRanges([parseEntry('203.0.113.66')]) },
  { feedId: 'scan', ...packRanges([parseEntry('198.51.100.0/24')]) },
  { feedId: 'spam', ...packRanges([parseEntry('203.0.113.0/24')]) },
].map((f) => ({ feedId: f.feedId, v4First: f.v4First, v4Last: f.v4Last, v6First: f.v6First, v6Last: f.v6Last })) };

test('a hit names the category of the feed that lists the address, preferring the group whose rule fired', (t) => {
  t.deepEqual(describeHit(feeds, layout, hits, 'fbothdrop', '203.0.113.66'), { category: 'c2', name: '名前c2list' });
  t.deepEqual(describeHit(feeds, layout, hits, 'fbothdrop', '203.0.113.7'), { category: 'spam', name: '名前spam' });
  t.deepEqual(describeHit(feeds, layout, hits, 'fbothwatch', '198.51.100.9'), { category: 'scanner', name: '名前scan' });
  t.is(describeHit(feeds, layout, hits, 'local', '203.0.113.66'), undefined);
  t.deepEqual(describeHit(feeds, layout, hits, 'fbothdrop', 'garbage'), { name: 'fbothdrop' });
});

test('watch-only and drop hits both reach the alert text with the category in plain words', (t) => {
  const catalog = buildCatalog();
  const info = (g: string, ip: string) => describeHit(feeds, layout, hits, g, ip);
  const cases = [
    { prefix: 'utm:drop:out:fbothdrop', dst: '203.0.113.66', words: '乗っ取ったパソコンに指示を出す' },
    { prefix: 'utm:watch:out:fbothwatch', dst: '198.51.100.9', words: 'インターネット中を手当たり次第に調べて' },
  ];
  for (const c of cases) {
    const f = blocklistFinding({ at: 1, prefix: c.prefix, srcIp: '192.168.77.101', dstIp: c.dst, proto: 'tcp', dstPort: 443 }, 'utm', (g) => info(g, c.dst))!;
    t.truthy(f.params.category);
    const alert: Alert = {
      id: 1, kind: f.kind, severity: f.severity, dedupKey: f.dedupKey, device: f.device ?? {}, remote: f.remote ?? null,
      direction: f.direction ?? null, action: f.action, count: 1, firstSeen: 1, lastSeen: 1, params: f.params, evidence: {}, incidentId: null,
    };
    const ja = explainAlert(alert, 'ja', catalog, null);
    t.true(ja.what.includes(c.words), ja.what);
  }
});
