// When a refresh starts a staged load's nft processes ahead (nft/fillProcesses.ts): once a
// download large enough to hold a staged load comes for a feed whose last-good is small or
// absent (a first load), never for a small feed (a box whose feeds are small keeps no waiting
// process, not even after its first refresh), and never for a feed whose last-good is large
// already: its refresh changes elements, and each start forked the daemon twice for processes
// the update never used (the 100k 1% update 27 → 39 ms, 2026-12-05).
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { BlocklistFeature } from '../../../firmware/src/blocklist/feature.js';
import { blocklistRepos } from '../../../firmware/src/blocklist/repos.js';
import type { FeedFetchRequest, FeedFetchResult } from '../../../firmware/src/blocklist/fetch.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { DryRunBackend } from '../../../firmware/src/nft/dryRun.js';
import { everyMigration } from '../../helpers/schema.js';
import { BASE, PLAN, quietLog, testConfig } from '../../helpers/daemon.js';

const ROOT = join(import.meta.dirname, '../../..');
const FEED = {
  id: 'lab-c2', name: { ja: 'ラボ', en: 'lab' }, description: { ja: 'テスト用', en: 'test' },
  urls: { v4: 'http://192.0.2.53/feed.txt' }, format: 'plain', category: 'c2', direction: 'both', action: 'drop',
  refresh: '0 0 1 1 *', minEntries: 1, maxShrinkRatio: 0.01, maxRejectRatio: 0.5, enabledByDefault: true,
};
const list = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => `203.0.113.${2 * (i + from)}\n`).join('');

test('prepareFill: after a large download for a feed not large yet; never for a small feed, nor for one already large', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'utm-prepfill-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  let body = list(5);
  const events: string[] = [];
  let declared = false; // the server sends a Content-Length
  const fetch = async (req: FeedFetchRequest): Promise<FeedFetchResult> => {
    if (declared) req.sized?.(Buffer.byteLength(body));
    events.push('download');
    return { status: 'ok', body: Buffer.from(body), sha256: createHash('sha256').update(body).digest('hex'), finalUrl: FEED.urls.v4 };
  };
  const config = testConfig({ feeds: { shipped: false, jitterSeconds: 0, extra: [FEED] } });
  // staged from 20 elements: a download of 20 × 8 bytes or more may stage
  const feature = new BlocklistFeature({ catalogPath: join(ROOT, 'rules/feeds.json'), fetch, stageMinElements: 20, peerSources: { resolvConf: [], leaseDirs: [], timesyncd: [], chrony: [] } });
  const kernel = new DryRunBackend(BASE.tableName);
  Object.assign(kernel, { prepareFill: () => void events.push('prepareFill') });
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => db.close());
  await feature.init({
    stateDir, config, provisioning: null, base: BASE, log: quietLog, now: Date.now, repos: blocklistRepos(db), ruleset: kernel, conditions: new Conditions(Date.now), deviceId: 'test',
    plan: () => PLAN, raise: () => {}, requestApply: async () => true,
  });
  t.is((await feature.refresh())[0]?.result, 'loaded');
  t.deepEqual(events, ['download'], 'a first download of 5 lines: nothing started');
  events.length = 0;
  body = list(40);
  t.is((await feature.refresh())[0]?.result, 'loaded');
  t.deepEqual(events, ['download', 'prepareFill'], 'a download that may hold 20 addresses: started before it is read');
  events.length = 0;
  body = list(40, 1);
  t.is((await feature.refresh())[0]?.result, 'loaded');
  t.deepEqual(events, ['download'], 'a feed whose last-good is large: nothing started, before or after its download');
  declared = true;
  events.length = 0;
  body = list(40, 3);
  t.is((await feature.refresh())[0]?.result, 'loaded');
  t.deepEqual(events, ['download'], 'nor when its server declares the length');
  declared = false;
  events.length = 0;
  body = list(5);
  feature.usable.set('lab-c2', 5); // (the shrink check would refuse 40 → 5: only its start matters here)
  await feature.refresh();
  t.deepEqual(events, ['download'], 'last-good small, a small download: nothing started');
  events.length = 0;
  declared = true;
  body = list(40, 2);
  await feature.refresh();
  t.deepEqual(events, ['prepareFill', 'download'], 'a declared length large enough: started as the body starts to arrive');
});
