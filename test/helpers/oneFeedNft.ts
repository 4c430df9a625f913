// One utmd life of the one-feed world (oneFeed.ts) against real nft in the test's namespace:
// an NftDriver there (closed at teardown), a BlocklistFeature initialised as the daemon does,
// its full apply counted, warnings collected, and the first full apply done (the empty sets
// exist, as after utmd's start). Shared by the real-kernel refresh tests.
import type { ExecutionContext } from 'ava';
import { join } from 'node:path';
import { BlocklistFeature, type BlocklistFeatureOptions } from '../../firmware/src/blocklist/feature.js';
import { blocklistRepos } from '../../firmware/src/blocklist/repos.js';
import { NftDriver, type NftDriverOptions } from '../../firmware/src/nft/driver.js';
import { renderRuleset } from '../../firmware/src/nft/render.js';
import { buildPolicy } from '../../firmware/src/policy/build.js';
import { openDb } from '../../firmware/src/store/db.js';
import { Conditions } from '../../firmware/src/app/conditions.js';
import { systemBin } from '../../firmware/src/sys/bin.js';
import { everyMigration } from './schema.js';
import { oneFeedWorld } from './oneFeed.js';

export async function bootOneFeedNft<D extends NftDriver = NftDriver>(t: ExecutionContext, ns: string, stateDir: string, body: string, o: {
  driver?: (opts: NftDriverOptions) => D;
  feature?: Partial<BlocklistFeatureOptions>;
} = {}) {
  const world = oneFeedWorld(body);
  const { config, plan, base, fetch } = world;
  const nftArgv = [systemBin('ip'), 'netns', 'exec', ns, systemBin('nft')];
  const opts: NftDriverOptions = { nft: nftArgv, lastGoodPath: join(stateDir, 'last-good.json'), tableName: base.tableName };
  const nft = o.driver ? o.driver(opts) : (new NftDriver(opts) as D);
  t.teardown(() => nft.close());
  const feature = new BlocklistFeature({ catalogPath: join(world.root, 'rules/feeds.json'), fetch, ...o.feature });
  let fullApplies = 0;
  const applyFull = async (): Promise<boolean> => {
    fullApplies++;
    await nft.apply(renderRuleset(buildPolicy({ config, provisioning: null, base, plan, quarantine: [], extraGroups: feature.groups().map((g) => g.rules) })));
    return true;
  };
  const warnings: string[] = [];
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => db.close());
  await feature.init({
    stateDir, config, provisioning: null, base, log: { info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    now: Date.now, repos: blocklistRepos(db), ruleset: nft, conditions: new Conditions(Date.now), deviceId: 'test', plan: () => plan,
    raise: () => {}, requestApply: applyFull,
  });
  await applyFull();
  return { world, nft, nftArgv, feature, applyFull, fullApplies: () => fullApplies, warnings, group: feature.groups()[0]!.rules.id };
}
