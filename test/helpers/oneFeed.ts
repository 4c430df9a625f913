// One router-mode box on `lo` with one plain-text feed (`lab-c2`, both directions, drop) whose
// body the test changes between refreshes: the world of the blocklist refresh seam tests, shared
// by the dry-run unit test and the real-nft integration test.
import type { ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNamespace, deleteNamespace, newLabId, nsName } from '../lab/netns.js';
import type { FeedFetchResult } from '../../firmware/src/blocklist/fetch.js';
import { ConfigSchema, type Config } from '../../firmware/src/config/schema.js';
import { BasePolicySchema, type BasePolicy } from '../../firmware/src/nft/policy.js';
import type { NetworkPlan } from '../../firmware/src/policy/network.js';

const ROOT = join(import.meta.dirname, '../..');
export const FEED_URL = 'http://192.0.2.53/feed.txt';

export interface OneFeedWorld {
  root: string;
  base: BasePolicy;
  config: Config;
  plan: NetworkPlan;
  /** What the next download returns; change `body` between refreshes. */
  feed: { body: string };
  fetch: () => Promise<FeedFetchResult>;
}

/** The world with the feed's first body. */
export function oneFeedWorld(body: string): OneFeedWorld {
  const feed = { body };
  return {
    root: ROOT,
    base: BasePolicySchema.parse(JSON.parse(readFileSync(join(ROOT, 'rules/base-policy.json'), 'utf8'))),
    config: ConfigSchema.parse({
      mode: 'router', interfaces: { wan: 'lo', lan: ['lo'] }, lan: { prefixes: ['192.168.77.0/24'] },
      feeds: {
        shipped: false, jitterSeconds: 0,
        extra: [{
          id: 'lab-c2', name: { ja: 'ラボ', en: 'lab' }, description: { ja: 'テスト用', en: 'test' },
          urls: { v4: FEED_URL }, format: 'plain', category: 'c2', direction: 'both', action: 'drop',
          refresh: '0 0 1 1 *', minEntries: 1, maxShrinkRatio: 0.9, maxRejectRatio: 0.5, enabledByDefault: true,
        }],
      },
    }),
    plan: {
      mode: 'router', ifaces: { wan: 'lo', lan: ['lo'] }, bridgePorts: [], lanPrefixes: ['192.168.77.0/24'],
      boxAddresses: [], gateways: [], wanReason: 'test', problems: [],
    },
    feed,
    // as fetchFeed answers: no digest unless the feed pins one (the refresh takes it later)
    fetch: () => Promise.resolve({ status: 'ok', body: Buffer.from(feed.body), finalUrl: FEED_URL }),
  };
}

/** For the real-nft tests of this world: a namespace of the test's own (its nft runs there) and
 *  a state dir, both removed in the test's teardown (the namespace also when the test already
 *  removed it, as a refusal does). */
export async function oneFeedNamespace(t: ExecutionContext, dirPrefix: string): Promise<{ ns: string; stateDir: string }> {
  const ns = nsName(newLabId(), 'nft');
  const stateDir = mkdtempSync(join(tmpdir(), dirPrefix));
  await addNamespace(ns);
  t.teardown(async () => {
    await deleteNamespace(ns);
    rmSync(stateDir, { recursive: true, force: true });
  });
  return { ns, stateDir };
}
