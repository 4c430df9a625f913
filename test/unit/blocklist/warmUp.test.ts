// The refresh's warm-up (blocklist/warmUp.ts): it runs the steps a refresh runs, the patch of a
// 1% change included, on a made-up list, then the patch again on changes all over the IPv4 space;
// the feature queues it at start ahead of its first refresh, never beside one; `warmUp: false`
// and a box without feeds run none.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlocklistFeature } from '../../../firmware/src/blocklist/feature.js';
import { blocklistRepos } from '../../../firmware/src/blocklist/repos.js';
import { madeUpList, warmUp, warmWidePatch, WARM_ENTRIES } from '../../../firmware/src/blocklist/warmUp.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { DryRunBackend } from '../../../firmware/src/nft/dryRun.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { oneFeedWorld } from '../../helpers/oneFeed.js';

test('the warm-up reads a made-up list whole, then its 1% change in part (the patch path)', async (t) => {
  const r = await warmUp();
  t.is(r.entries, WARM_ENTRIES);
  // the second read was patched from the changed lines, not read whole: the update's code ran
  t.true(r.patched);
  t.true(r.wideChanged > 3_600, `changes over the whole space: ${r.wideChanged}`);
  t.true(r.walkedEarlyBytes > 16_000, `its changed lines walked as it arrived: ${r.walkedEarlyBytes} bytes`);
  // ~0.5% dropped at the head, ~0.5% moved by one address, as many added: ~100 element changes
  t.true(r.changed > 40 && r.changed < 200, `changed ${r.changed}`);
});

test('then the patch runs on changes all over the address space, where a real list\'s addresses lie', (t) => {
  // each round: 500 of 8,000 addresses and 16 of 256 /24s dropped, as many added (the element
  // changes of the content, a /24 that stays a /24 or a dropped one inside another not counted)
  const one = warmWidePatch(1);
  // (it throws when the patched ranges differ from the whole merge, or the content was cut whole)
  t.true(one > 900 && one <= 1032, `changed ${one}`);
  t.is(warmWidePatch(1), one); // the same made-up change at every start
});

test('the made-up list is the same at every start: 97% singles, 3% /24 networks, ascending', (t) => {
  const [singles = [], nets = []] = madeUpList(1000, 7);
  t.deepEqual(madeUpList(1000, 7), [singles, nets]);
  t.is(singles.length + nets.length, 1000);
  t.is(nets.length, 30);
  t.true(nets.every((n) => (n & 0xff) === 0));
  t.true(singles.every((v, i) => i === 0 || v > (singles[i - 1] ?? 0)));
});

async function boot(t: ExecutionContext, opts: { warmUp?: boolean; feeds?: boolean }) {
  const stateDir = mkdtempSync(join(tmpdir(), 'utm-warm-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  const world = oneFeedWorld('203.0.113.1\n203.0.113.3\n');
  const events: string[] = [];
  const fetch = () => {
    events.push('download');
    return world.fetch();
  };
  const config = opts.feeds === false ? { ...world.config, feeds: { ...world.config.feeds, extra: [] } } : world.config;
  const feature = new BlocklistFeature({
    catalogPath: `${world.root}/rules/feeds.json`, fetch, peerSources: { resolvConf: [], leaseDirs: [], timesyncd: [], chrony: [] },
    ...(opts.warmUp === undefined ? {} : { warmUp: opts.warmUp }),
  });
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => db.close());
  const log = (m: string): void => void events.push(m);
  await feature.init({
    stateDir, config, provisioning: null, base: world.base, log: { info: log, warn: log, error: log },
    now: Date.now, repos: blocklistRepos(db), ruleset: new DryRunBackend(world.base.tableName), conditions: new Conditions(Date.now),
    deviceId: 'test', plan: () => world.plan, raise: () => {}, requestApply: async () => true,
  });
  t.teardown(() => feature.stop());
  return { feature, events, stateDir };
}

test('start() queues the warm-up ahead of a refresh asked for at once; it touches no file', async (t) => {
  const { feature, events, stateDir } = await boot(t, {});
  feature.start();
  const reports = await feature.refresh();
  t.is(reports[0]?.result, 'loaded');
  const warmed = events.findIndex((e) => e.startsWith('blocklist: refresh code warmed up on 5000 made-up entries'));
  t.true(warmed >= 0, events.join('\n'));
  t.true(warmed < events.indexOf('download'), events.join('\n'));
  // the made-up list left nothing in the feature: only the real feed is loaded and saved
  t.deepEqual([...feature.ranges.keys()], ['lab-c2']);
  t.deepEqual(readdirSync(join(stateDir, 'blocklist', 'feeds')).sort(), ['lab-c2.snap']);
  // a second start (the feature restarted) does not warm up again
  await feature.stop();
  feature.start();
  await feature.refresh();
  t.is(events.filter((e) => e.includes('warmed up')).length, 1);
});

test('warmUp: false, or a box without an enabled feed, runs no warm-up', async (t) => {
  for (const opts of [{ warmUp: false }, { feeds: false }]) {
    const { feature, events } = await boot(t, opts);
    feature.start();
    await feature.refresh();
    t.false(events.some((e) => e.includes('warm')), JSON.stringify(opts));
  }
});
