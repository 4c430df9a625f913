// Feed status rows over a store that refuses writes (a full disk): held in memory, served from
// there, written with the next put that works; any other error still thrown.
import test from 'ava';
import { FeedStatusRepo, HeldFeedStatus, newStatus, type FeedStatusRow, type FeedStatusStore } from '../../../firmware/src/blocklist/repos.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';

function world(): { repo: FeedStatusRepo; held: HeldFeedStatus; fail: (e: Error | null) => void; counted: unknown[] } {
  const db = openDb(':memory:', everyMigration);
  const repo = new FeedStatusRepo(db);
  let failure: Error | null = null;
  const store: FeedStatusStore = {
    get: (id) => repo.get(id),
    put: (s) => { if (failure) throw failure; repo.put(s); },
  };
  const counted: unknown[] = [];
  const held = new HeldFeedStatus(store, (e) => {
    if ((e as { code?: string }).code !== 'SQLITE_FULL') return false;
    counted.push(e);
    return true;
  });
  return { repo, held, fail: (e) => { failure = e; }, counted };
}

const full = (): Error => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
const row = (id: string, attempt: number): FeedStatusRow => ({ ...newStatus(id), lastAttemptAt: attempt, validators: { v4: { etag: `"v${attempt}"` } }, rejected: { bad: attempt } });

test('a row the full store could not take is served from memory, and written with the next put that works', (t) => {
  const w = world();
  w.held.put(row('a', 1));
  t.is(w.repo.get('a').lastAttemptAt, 1);
  w.fail(full());
  t.notThrows(() => w.held.put(row('a', 2)));
  t.notThrows(() => w.held.put(row('b', 3)));
  t.is(w.counted.length, 2, 'each failed write counted');
  t.is(w.held.waiting, 2);
  t.is(w.repo.get('a').lastAttemptAt, 1, 'the store still has the older row');
  t.is(w.held.get('a').lastAttemptAt, 2, 'the feature sees the newer one');
  t.deepEqual(w.held.get('b').validators, { v4: { etag: '"v3"' } });
  // a caller that changes what it got without a put changes nothing held
  const got = w.held.get('a');
  got.lastAttemptAt = 99;
  got.rejected['bad'] = 99;
  t.is(w.held.get('a').lastAttemptAt, 2);
  t.is(w.held.get('a').rejected['bad'], 2);
  // writes work again: the next put writes every held row
  w.fail(null);
  w.held.put(row('c', 4));
  t.is(w.held.waiting, 0);
  t.deepEqual([w.repo.get('a').lastAttemptAt, w.repo.get('b').lastAttemptAt, w.repo.get('c').lastAttemptAt], [2, 3, 4]);
});

test('an error that is not a full store is thrown, and the row still waits', (t) => {
  const w = world();
  w.fail(new Error('SQL logic error'));
  t.throws(() => w.held.put(row('a', 1)), { message: 'SQL logic error' });
  t.is(w.counted.length, 0);
  t.is(w.held.get('a').lastAttemptAt, 1);
  w.fail(null);
  w.held.put(row('b', 2));
  t.is(w.repo.get('a').lastAttemptAt, 1);
});
