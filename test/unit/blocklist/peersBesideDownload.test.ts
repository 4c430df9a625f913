// A refresh re-reads the box's resolvers and time servers while its download arrives, not
// before it (a time server's name may take seconds to resolve): the download is not held up,
// and the guard that judges it still knows a resolver that appeared in the same minute. The
// dry-run ruleset backend (no root); the resolvers come from a resolv.conf of the test's own.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { bootOneFeed } from '../../helpers/oneFeedBoot.js';
import { FEED_URL } from '../../helpers/oneFeed.js';
import { besideDownload } from '../../../firmware/src/blocklist/refresh.js';
import type { FeedFetchResult } from '../../../firmware/src/blocklist/fetch.js';
import type { BlocklistFeature } from '../../../firmware/src/blocklist/feature.js';

const NEW_RESOLVER = '198.51.100.53';

/** A box whose resolv.conf names 192.0.2.60 at start; `answer` is what each download gives, and
 *  `seen` the resolvers the feature protected when each download began. */
async function box(t: ExecutionContext, answer: () => Promise<FeedFetchResult>) {
  const dir = mkdtempSync(join(tmpdir(), 'utm-beside-'));
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 192.0.2.60\n');
  const seen: string[][] = [];
  let feature: BlocklistFeature | null = null;
  const h = await bootOneFeed(join(dir), db, '', {
    peerSources: { resolvConf: [resolvConf], leaseDirs: [], timesyncd: [], chrony: [] },
    fetch: () => {
      seen.push(feature?.peers().resolver ?? []);
      return answer();
    },
  });
  feature = h.feature;
  t.true(await h.applyFull());
  await h.feature.refreshPeers(); // as the poll at start does
  return { ...h, resolvConf, seen };
}

const ok = (body: string): Promise<FeedFetchResult> => Promise.resolve({ status: 'ok', body: Buffer.from(body), finalUrl: FEED_URL });

test('the download does not wait for the resolvers, and the guard still keeps a new resolver out of the list', async (t) => {
  const h = await box(t, () => ok(`203.0.113.7\n${NEW_RESOLVER}\n203.0.113.9\n`));
  t.deepEqual(h.feature.peers().resolver, ['192.0.2.60']);
  // a DHCP renewal names a new resolver just before the hourly refresh: the feed lists it
  writeFileSync(h.resolvConf, `nameserver ${NEW_RESOLVER}\n`);
  const [r] = await h.feature.refresh();
  t.is(r?.result, 'loaded');
  t.deepEqual(h.seen.at(-1), ['192.0.2.60'], 'the download began before the resolvers were re-read');
  t.deepEqual(h.feature.peers().resolver, [NEW_RESOLVER], 're-read in the same refresh');
  t.is(r?.result === 'loaded' ? r.entries : -1, 2, 'the new resolver is not one of the entries');
  const v4 = h.feature.applied.get('fbothdrop')?.v4Singles ?? new Uint32Array();
  t.deepEqual([...v4].map((n) => `203.0.113.${n & 255}`), ['203.0.113.7', '203.0.113.9']);
  t.is(h.feature.statusRepo?.get('lab-c2').lastError, null);
});

test('a refresh whose download failed or was unchanged still re-reads the resolvers', async (t) => {
  let answer: () => Promise<FeedFetchResult> = () => ok('203.0.113.7\n');
  const h = await box(t, () => answer());
  t.is((await h.feature.refresh())[0]?.result, 'loaded');
  writeFileSync(h.resolvConf, `nameserver ${NEW_RESOLVER}\n`);
  answer = () => Promise.resolve({ status: 'unchanged' });
  t.is((await h.feature.refresh())[0]?.result, 'unchanged');
  t.deepEqual(h.feature.peers().resolver, [NEW_RESOLVER]);
  writeFileSync(h.resolvConf, 'nameserver 192.0.2.61\n');
  answer = () => Promise.reject(new Error('connection refused'));
  t.is((await h.feature.refresh())[0]?.result, 'fault');
  t.deepEqual(h.feature.peers().resolver, ['192.0.2.61']);
});

test('besideDownload starts its work after this turn of the event loop, once, and a failure waits for its awaiter', async (t) => {
  let runs = 0;
  const work = besideDownload(async () => {
    runs++;
    await Promise.resolve();
    throw new Error('re-read failed');
  });
  const p = work();
  t.is(runs, 0, 'not started while the download is being set up');
  t.is(work(), p, 'one promise for every download of the refresh');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.is(runs, 1);
  // nobody awaited it yet: no unhandled rejection (ava fails a test on one); the awaiter sees it
  await t.throwsAsync(p, { message: 're-read failed' });
  t.is(runs, 1);
});
