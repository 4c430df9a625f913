// A feed's incremental set sync and a full apply that arrive together take turns in the one
// apply queue: the sync's write, count check and bookkeeping never run while a full apply
// holds the queue, and the apply after it renders what the sync left. The dry-run backend
// (nft/dryRun.ts, no root), its read-back held to keep the full apply in the queue.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppService } from '../../../firmware/src/app/appService.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { BlocklistFeature } from '../../../firmware/src/blocklist/feature.js';
import { blocklistRepos } from '../../../firmware/src/blocklist/repos.js';
import type { FeedFetchResult } from '../../../firmware/src/blocklist/fetch.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { DryRunBackend } from '../../../firmware/src/nft/dryRun.js';
import { BASE, PLAN, quietLog, testConfig } from '../../helpers/daemon.js';
import { appliedDocs, holdReadBacks } from '../../helpers/dryRun.js';
import { waitFor } from '../../lab/poll.js';

const ROOT = join(import.meta.dirname, '../../..');
const FEED = {
  id: 'lab-c2', name: { ja: 'ラボ', en: 'lab' }, description: { ja: 'テスト用', en: 'test' },
  urls: { v4: 'http://192.0.2.53/feed.txt' }, format: 'plain', category: 'c2', direction: 'both', action: 'drop',
  refresh: '0 0 1 1 *', minEntries: 1, maxShrinkRatio: 0.9, maxRejectRatio: 0.5, enabledByDefault: true,
};

test('a full apply and an incremental blocklist sync arriving together are serialized', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'utm-syncq-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  // apart: single elements, not one range; the second list changes one of four, so the sync
  // edits the set by difference and counts it after (a set flushed and refilled is not counted)
  let body = '203.0.113.1\n203.0.113.5\n203.0.113.9\n203.0.113.13\n';
  const fetch = async (): Promise<FeedFetchResult> => ({
    status: 'ok', body: Buffer.from(body), sha256: createHash('sha256').update(body).digest('hex'), finalUrl: FEED.urls.v4,
  });
  const config = testConfig({ feeds: { shipped: false, jitterSeconds: 0, extra: [FEED] } });
  const conditions = new Conditions(Date.now);
  const feature = new BlocklistFeature({ catalogPath: join(ROOT, 'rules/feeds.json'), fetch, peerSources: { resolvConf: [], leaseDirs: [], timesyncd: [], chrony: [] } });
  const turns: string[] = [];
  // What ran, in order: each change's turn, the writes, read-backs and set listings in it.
  const calls: string[] = [];
  let depth = 0;
  let nft: DryRunBackend | null = null;
  const app = new AppService({
    config, provisioning: null, base: BASE, log: quietLog, now: Date.now, conditions, features: [feature],
    // every incremental change asks for its turn through here
    nft: (serialize) => (nft = new DryRunBackend(BASE.tableName, (fn) => {
      turns.push('change asks for its turn');
      return serialize(async () => {
        // a change made inside a turn runs at once, in that turn: only the outer one is a turn
        if (depth++ === 0) calls.push('turn');
        try {
          return await fn();
        } finally {
          if (--depth === 0) calls.push('turn end');
        }
      });
    })),
  });
  if (!nft) return t.fail('no backend');
  const kernel: DryRunBackend = nft;
  const transact = kernel.transact.bind(kernel);
  kernel.transact = (doc) => {
    calls.push('write');
    return transact(doc);
  };
  const listSet = kernel.listSet.bind(kernel);
  kernel.listSet = (family, set) => {
    calls.push(`list set ${set}`);
    return listSet(family, set);
  };
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => db.close());
  await feature.init({
    stateDir, config, provisioning: null, base: BASE, log: quietLog, now: Date.now, repos: blocklistRepos(db), ruleset: app.nft, conditions, deviceId: 'test',
    plan: () => app.currentPlan(), raise: () => {}, requestApply: () => app.apply(),
  });
  t.true(await app.firstApply(PLAN, 0));
  t.is((await feature.refresh())[0]?.result, 'loaded');
  body = '203.0.113.1\n203.0.113.5\n203.0.113.9\n203.0.113.17\n';
  calls.length = 0;
  turns.length = 0;

  // A full apply holds the queue (say, `allow add`: its read-back is slow); the feed's download arrives meanwhile.
  const release = holdReadBacks(kernel, () => void calls.push('read back'));
  const full = app.apply();
  await waitFor(() => calls.includes('read back'), { what: 'the full apply to be under way' });
  const refresh = feature.refresh();
  await waitFor(() => turns.length > 0, { what: 'the sync to ask for its turn' });
  t.deepEqual(calls, ['turn', 'read back'], 'the sync writes nothing while the full apply holds the queue');
  kernel.onReadBack = null;
  release();
  t.true(await full);
  const [report] = await refresh;
  t.is(report?.result, 'loaded');
  t.deepEqual([report?.sync?.added, report?.sync?.deleted], [1, 1]);
  const write = calls.indexOf('write');
  t.true(write > calls.indexOf('turn end'), `the sync wrote after the apply ended: ${calls.join(', ')}`);
  const after = calls.slice(write + 1);
  t.true(after.length > 1 && after.slice(0, -1).every((c) => c.startsWith('list set')) && after.at(-1) === 'turn end', `its count check followed in the same turn: ${after.join(', ')}`);

  // The next full apply renders what the sync left (the four addresses), not the older state.
  t.true(await app.apply());
  const last = appliedDocs(kernel).at(-1) ?? '';
  t.true(['203.0.113.1', '203.0.113.5', '203.0.113.9', '203.0.113.17'].every((a) => last.includes(a)) && !last.includes('203.0.113.13'));
  t.is(feature.statusRepo?.get('lab-c2').usable, 4);
});
