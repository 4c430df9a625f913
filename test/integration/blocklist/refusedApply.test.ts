// When nft refuses a blocklist update, the feed's status must keep describing what the kernel
// enforces (the previous download), not the refused one, and the feed is shown as faulty.
// Real nft in a namespace this test makes; the refusal is the namespace going away under utmd's
// driver (nft cannot run there), so both the incremental sync and the full apply fail.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlocklistFeature } from '../../../firmware/src/blocklist/feature.js';
import { blocklistRepos } from '../../../firmware/src/blocklist/repos.js';
import { NftDriver } from '../../../firmware/src/nft/driver.js';
import { BasePolicySchema } from '../../../firmware/src/nft/policy.js';
import { renderRuleset } from '../../../firmware/src/nft/render.js';
import { buildPolicy } from '../../../firmware/src/policy/build.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { oneFeedNamespace, oneFeedWorld } from '../../helpers/oneFeed.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { systemBin } from '../../../firmware/src/sys/bin.js';
import { deleteNamespace } from '../../lab/netns.js';

const ROOT = join(import.meta.dirname, '../../..');
const base = BasePolicySchema.parse(JSON.parse(readFileSync(join(ROOT, 'rules/base-policy.json'), 'utf8')));

test('a refused blocklist update keeps the feed status of what the kernel enforces', async (t) => {
  const { ns, stateDir } = await oneFeedNamespace(t, 'utm-refused-');
  const { config, plan, feed, fetch } = oneFeedWorld('203.0.113.1\n203.0.113.2\n203.0.113.3\n');
  const nft = new NftDriver({ nft: [systemBin('ip'), 'netns', 'exec', ns, systemBin('nft')], lastGoodPath: join(stateDir, 'last-good.json'), tableName: base.tableName });
  const feature = new BlocklistFeature({ catalogPath: join(ROOT, 'rules/feeds.json'), fetch });
  const applyFull = async (): Promise<boolean> => {
    try {
      await nft.apply(renderRuleset(buildPolicy({ config, provisioning: null, base, plan, quarantine: [], extraGroups: feature.groups().map((g) => g.rules) })));
      return true;
    } catch {
      return false; // the daemon reports its own apply failures; here only the outcome matters
    }
  };
  const findings: Finding[] = [];
  const conditions = new Conditions(Date.now);
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => db.close());
  await feature.init({
    stateDir, config, provisioning: null, base, log: { info: () => {}, warn: () => {}, error: () => {} },
    now: Date.now, repos: blocklistRepos(db), ruleset: nft, conditions, deviceId: 'test', plan: () => plan, raise: (f) => findings.push(f), requestApply: applyFull,
  });
  t.true(await applyFull(), 'the first full apply works');
  const first = await feature.refresh();
  t.is(first[0]?.result, 'loaded');
  const loaded = feature.statusRepo!.get('lab-c2');
  t.is(loaded.usable, 3);

  // The next download has 5 entries, but nft can no longer run: the update is refused.
  feed.body = '203.0.113.1\n203.0.113.2\n203.0.113.3\n203.0.113.4\n203.0.113.5\n';
  await deleteNamespace(ns);
  await t.throwsAsync(() => feature.refresh());
  const after = feature.statusRepo!.get('lab-c2');
  t.is(after.usable, 3, 'the status still counts what the kernel holds');
  t.is(after.entries, loaded.entries);
  t.is(after.lastSuccessAt, loaded.lastSuccessAt);
  t.true(after.consecutiveFailures > 0);
  t.regex(after.lastError ?? '', /^apply: /);
  t.is(feature.usable.get('lab-c2'), 3, 'the next shrink check compares against what is enforced');
  t.false(conditions.list().find((c) => c.id === 'feed:lab-c2')?.ok ?? true, 'the feed is shown as faulty');
  t.true(findings.some((f) => f.kind === 'feed_fault' && f.params['reason'] === 'apply'));
});
