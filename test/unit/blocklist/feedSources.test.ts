import test from 'ava';
import { readFileSync } from 'node:fs';
import { resolveFeeds } from '../../../firmware/src/blocklist/feedSources.js';
import { CatalogSchema, FeedSchema, type Feed } from '../../../firmware/src/config/feedCatalog.js';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';

const shipped = CatalogSchema.parse(JSON.parse(readFileSync(new URL('../../../rules/feeds.json', import.meta.url), 'utf8'))).feeds;
const extra = (id: string, over: Partial<Feed> = {}): Feed => FeedSchema.parse({
  id, name: { ja: 'x', en: 'x' }, description: { ja: 'x', en: 'x' }, urls: { v4: 'http://192.0.2.53/x.txt' }, format: 'plain',
  category: 'c2', direction: 'both', action: 'drop', refresh: '0 * * * *', minEntries: 1, enabledByDefault: true, ...over,
});

test('config switches feeds on and off, overrides the schedule, and adds its own', (t) => {
  const off = shipped.find((f) => !f.enabledByDefault)!;
  const on = shipped.find((f) => f.enabledByDefault)!;
  const config = ConfigSchema.parse({ feeds: { enable: [off.id], disable: [on.id], refresh: '5 4 * * *', extra: [extra('mine')] } });
  const r = resolveFeeds(shipped, config, null, null);
  t.true(r.feeds.find((f) => f.id === off.id)!.enabled);
  t.false(r.feeds.find((f) => f.id === on.id)!.enabled);
  t.true(r.feeds.every((f) => f.refresh === '5 4 * * *'));
  t.like(r.feeds.find((f) => f.id === 'mine'), { enabled: true, source: 'provider' });
});

test('shipped: false leaves only the other layers; the technician layer wins', (t) => {
  const config = ConfigSchema.parse({ feeds: { shipped: false, extra: [extra('mine')] } });
  const r = resolveFeeds(shipped, config, null, { version: 1, feeds: [extra('tech', { action: 'watch' })], settings: { mine: { enabled: false } } });
  t.deepEqual(r.feeds.map((f) => [f.id, f.enabled, f.source]), [['mine', false, 'provider'], ['tech', true, 'technician']]);
});
