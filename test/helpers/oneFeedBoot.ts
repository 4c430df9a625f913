// One utmd life of the one-feed world (oneFeed.ts): a BlocklistFeature over `stateDir` and `db`
// with the dry-run ruleset backend, initialised as the daemon does, and its full apply (which,
// like the daemon's, reports failure as `false`). Shared by the refresh seam tests.
import { BlocklistFeature, type BlocklistFeatureOptions } from '../../firmware/src/blocklist/feature.js';
import { blocklistRepos } from '../../firmware/src/blocklist/repos.js';
import { DryRunBackend } from '../../firmware/src/nft/dryRun.js';
import { renderRuleset } from '../../firmware/src/nft/render.js';
import { buildPolicy } from '../../firmware/src/policy/build.js';
import type { Db } from '../../firmware/src/store/db.js';
import { Conditions } from '../../firmware/src/app/conditions.js';
import type { Finding } from '../../firmware/src/alerts/types.js';
import { oneFeedWorld } from './oneFeed.js';

export async function bootOneFeed(stateDir: string, db: Db, body: string, o: Pick<BlocklistFeatureOptions, 'fetch' | 'peerSources'> = {}) {
  const { root, base, config, plan, feed, fetch } = oneFeedWorld(body);
  const backend = new DryRunBackend(base.tableName);
  const feature = new BlocklistFeature({
    catalogPath: `${root}/rules/feeds.json`, fetch: o.fetch ?? fetch, peerSources: o.peerSources ?? { resolvConf: [], leaseDirs: [], timesyncd: [], chrony: [] },
  });
  let fullApplies = 0;
  const applyFull = async (): Promise<boolean> => {
    fullApplies++;
    try {
      await backend.apply(renderRuleset(buildPolicy({ config, provisioning: null, base, plan, quarantine: [], extraGroups: feature.groups().map((g) => g.rules) })));
      return true;
    } catch (e) {
      void e; // the daemon reports its own apply failures; here only the outcome matters
      return false;
    }
  };
  const findings: Finding[] = [];
  const conditions = new Conditions(Date.now);
  await feature.init({
    stateDir, config, provisioning: null, base, log: { info: () => {}, warn: () => {}, error: () => {} },
    now: Date.now, repos: blocklistRepos(db), ruleset: backend, conditions, deviceId: 'test', plan: () => plan,
    raise: (f) => findings.push(f), requestApply: applyFull,
  });
  return { feature, backend, feed, findings, conditions, applyFull, fullApplies: () => fullApplies };
}
