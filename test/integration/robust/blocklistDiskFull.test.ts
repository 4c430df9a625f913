// A feed update the kernel took while the state dir was full (its last-good snapshot could not be
// written): the new list stays enforced, the feed says why it is not saved, a restart in between
// enforces the new list again (not the older one on disk), and the snapshot is written by itself
// once space returns. Real files on a small tmpfs; the ruleset is the dry-run backend.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { fillUp } from './helpers.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LastGoodStore } from '../../../firmware/src/blocklist/lastGood.js';
import { openDb, type Db } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { run } from '../../lab/run.js';
import { bootOneFeed } from '../../helpers/oneFeedBoot.js';

const SET = 'bl_fbothdrop_v4';
const A = '203.0.113.1\n203.0.113.3\n203.0.113.5\n';
const B = '203.0.113.1\n203.0.113.3\n203.0.113.5\n203.0.113.7\n203.0.113.9\n';

/** One utmd life over `stateDir` and `db` (the status rows outlive it). */
async function boot(stateDir: string, db: Db, body: string) {
  const h = await bootOneFeed(stateDir, db, body);
  await h.applyFull();
  return { ...h, feedCondition: () => h.conditions.list().find((c) => c.id === 'feed:lab-c2') };
}

async function fullStateDir(t: ExecutionContext): Promise<{ dir: string; fill: () => void; free: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'utm-blfull-'));
  await run(['mount', '-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'utm-test-blfull', dir]);
  t.teardown(async () => {
    await run(['umount', '-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const filler = join(dir, 'filler');
  return {
    dir,
    fill: () => fillUp(filler),
    free: () => rmSync(filler, { force: true }),
  };
}

const onDisk = async (dir: string): Promise<number | undefined> =>
  (await new LastGoodStore(dir).loadAll(() => {})).find((s) => s.feedId === 'lab-c2')?.usable;

test.serial('a feed update taken while the disk is full stays enforced, survives a restart, and is saved once space returns', async (t) => {
  const disk = await fullStateDir(t);
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => db.close());

  const first = await boot(disk.dir, db, A);
  t.is((await first.feature.refresh())[0]?.result, 'loaded');
  t.is(await onDisk(disk.dir), 3);

  disk.fill();
  first.feed.body = B;
  const r = await first.feature.refresh();
  t.is(r[0]?.result, 'loaded', 'the kernel took the new list: the refresh is not a failure of enforcement');
  t.is(first.backend.elements('inet', SET)?.length, 5);
  t.false(first.feedCondition()?.ok ?? true, 'the feed shows that its list is not saved');
  t.regex(first.feedCondition()?.detail ?? '', /not saved/);
  t.is(await onDisk(disk.dir), 3, 'the older snapshot is still whole');
  await first.feature.stop();

  // utmd restarts with the disk still full: it starts from the older snapshot on disk, and the
  // same download must bring the newer list back (the validators of an unsaved download are not kept).
  const second = await boot(disk.dir, db, B);
  t.is(second.backend.elements('inet', SET)?.length, 3, 'at start: the last-good on disk');
  t.is((await second.feature.refresh())[0]?.result, 'loaded');
  t.is(second.backend.elements('inet', SET)?.length, 5, 'the newer list is enforced again');

  disk.free();
  const again = await second.feature.refresh();
  t.not(again[0]?.result, 'fault');
  t.is(await onDisk(disk.dir), 5, 'saved by the next refresh once there is space');
  t.true(second.feedCondition()?.ok);
  const n = second.backend.transactions.length;
  t.is((await second.feature.refresh())[0]?.result, 'unchanged', 'then unchanged downloads cost nothing again');
  t.is(second.backend.transactions.length, n);
  await second.feature.stop();
});

test.serial('a small update (a delta, written while nft works) taken while the disk is full: enforced, not saved, no temp file left; saved once space returns', async (t) => {
  const disk = await fullStateDir(t);
  const db = openDb(':memory:', everyMigration);
  t.teardown(() => db.close());
  const lines = Array.from({ length: 40 }, (_, i) => `198.51.100.${2 * i + 1}`);
  const h = await boot(disk.dir, db, `${lines.join('\n')}\n`);
  t.is((await h.feature.refresh())[0]?.result, 'loaded');
  const files = (): string[] => readdirSync(join(disk.dir, 'blocklist', 'feeds')).sort();
  t.deepEqual(files(), ['lab-c2.snap']);

  disk.fill();
  h.feed.body = `${[...lines.slice(1), '203.0.113.9'].join('\n')}\n`; // 1 of 40 lines: a delta
  t.is((await h.feature.refresh())[0]?.result, 'loaded');
  t.is(h.backend.elements('inet', SET)?.length, 40);
  t.regex(h.feedCondition()?.detail ?? '', /not saved/);
  t.deepEqual(files(), ['lab-c2.snap'], 'no delta, and no half-written temp file taking the space left');

  disk.free();
  t.is((await h.feature.refresh())[0]?.result, 'loaded', 'the same download again: its validators were not kept');
  t.deepEqual(files(), ['lab-c2.delta', 'lab-c2.snap']);
  t.true(h.feedCondition()?.ok);
  const back = await new LastGoodStore(disk.dir).loadAll(() => t.fail());
  t.is(back[0]?.usable, 40);
  await h.feature.stop();
});
