import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CatalogSchema, FeedSchema, mergeCatalog, TechnicianOverridesSchema, type Feed } from '../../../firmware/src/config/feedCatalog.js';

const shippedJson: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('../../../rules/feeds.json', import.meta.url)), 'utf8'));
const shipped = CatalogSchema.parse(shippedJson).feeds;

const providerFeed: Feed = FeedSchema.parse({
  id: 'provider-mgmt',
  name: { ja: 'プロバイダー提供リスト', en: 'Provider list' },
  description: { ja: 'プロバイダーが独自に集めた危険な相手です。', en: "The provider's own list of dangerous hosts." },
  urls: { v4: 'https://feeds.example.net/otasuke/v4.txt' },
  format: 'plain',
  category: 'malware',
  direction: 'both',
  action: 'drop',
  refresh: '*/30 * * * *',
  minEntries: 1,
  sha256: { v4: 'a'.repeat(64) },
  enabledByDefault: true,
});

test('shipped catalog is valid and ships the required real feeds', (t) => {
  const ids = shipped.map((f) => f.id);
  for (const id of ['feodo-c2', 'spamhaus-drop', 'et-compromised']) t.true(ids.includes(id), id);
  const drop = shipped.find((f) => f.id === 'spamhaus-drop')!;
  t.truthy(drop.urls.v4 && drop.urls.v6);
  t.true(shipped.some((f) => f.format === 'csv' && f.csv !== undefined));
  t.true(shipped.some((f) => f.action === 'watch'));
  for (const f of shipped) t.true(f.urls.v4?.startsWith('https://') ?? true, f.id);
});

test('schema rejects unknown keys, bad cron, bad id, csv without column, duplicate ids', (t) => {
  const base = structuredClone(shippedJson) as { version: number; feeds: Array<Record<string, unknown>> };
  const bad = (mutate: (f: Record<string, unknown>) => void) => {
    const c = structuredClone(base);
    mutate(c.feeds[0]!);
    return CatalogSchema.safeParse(c).success;
  };
  t.false(bad((f) => { f.colour = 'red'; }));
  t.false(bad((f) => { f.refresh = 'every hour'; }));
  t.false(bad((f) => { f.id = 'Bad Id'; }));
  t.false(bad((f) => { f.urls = {}; }));
  t.false(bad((f) => { f.urls = { v4: 'ftp://x.example/list' }; }));
  t.false(bad((f) => { f.format = 'csv'; }));
  t.false(bad((f) => { f.sha256 = { v4: 'XYZ' }; }));
  const dup = structuredClone(base);
  dup.feeds.push(structuredClone(dup.feeds[0]!));
  t.false(CatalogSchema.safeParse(dup).success);
  t.true(CatalogSchema.safeParse(base).success);
});

test('every schema field carries a description', (t) => {
  for (const [key, field] of Object.entries(FeedSchema.shape)) t.truthy((field as { description?: string }).description, key);
});

test('mergeCatalog: shipped < provider < technician, settings patch, warnings', (t) => {
  const technician = TechnicianOverridesSchema.parse({
    version: 1,
    feeds: [{ ...providerFeed, id: 'tech-extra', sha256: undefined, name: { ja: '追加', en: 'Extra' } }],
    settings: {
      'feodo-c2': { action: 'watch' },
      'cins-army': { enabled: true },
      'provider-mgmt': { enabled: false },
      'no-such-feed': { enabled: true },
    },
  });
  const m = mergeCatalog(shipped, [providerFeed, { ...shipped[1]!, refresh: '0 3 * * *' }], technician);
  const get = (id: string) => m.feeds.find((f) => f.id === id)!;
  t.is(get('feodo-c2').action, 'watch');
  t.is(get('feodo-c2').source, 'shipped');
  t.true(get('cins-army').enabled);
  t.false(get('provider-mgmt').enabled);
  t.is(get('provider-mgmt').source, 'provider');
  t.is(get(shipped[1]!.id).refresh, '0 3 * * *');
  t.is(get(shipped[1]!.id).source, 'provider');
  t.is(get('tech-extra').source, 'technician');
  t.is(m.feeds.findIndex((f) => f.id === shipped[1]!.id), 1, 'redefinition keeps its place');
  t.deepEqual(m.warnings, [{ feedId: 'no-such-feed', problem: 'unknown_feed_in_settings' }]);
  t.false(get('spamhaus-drop-text').enabled);
});

test('mergeCatalog with no overrides is the shipped list, enabled by default flag', (t) => {
  const m = mergeCatalog(shipped, [], null);
  t.is(m.feeds.length, shipped.length);
  t.deepEqual(m.feeds.map((f) => f.enabled), shipped.map((f) => f.enabledByDefault));
});
