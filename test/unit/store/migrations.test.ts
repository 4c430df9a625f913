// Migrations owned by their aggregates, tracked by id (store/db.ts, store/legacy.ts): a
// database made under the old user_version scheme opens at every version without running
// anything again; a feature's migrations run once and in number order; a database that
// records a migration this build does not know (newer firmware) is refused; shipped SQL stays
// byte for byte what it was.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDb, StoreError, type Db } from '../../../firmware/src/store/db.js';
import { IDS_TRACKED, LEGACY_ORDER } from '../../../firmware/src/store/legacy.js';
import { MigrationListError, type Migration } from '../../../firmware/src/store/migration.js';
import { schemaOf, storeMigrations } from '../../../firmware/src/app/schema.js';
import { everyMigration, oldSchemeDb } from '../../helpers/schema.js';

/** sha256 of each shipped migration's SQL, taken from store/migrations/*.ts before they moved. */
const SHIPPED: Record<string, string> = {
  'core/001': 'a596005d4e892247b8d4e88e95e842ed666dab5a50fb8845d601ed24c84a4f73',
  'blocklist/002': 'bfcbf6c65d35560600ce56777c39001106041f6149338d695e7bb1c4acc4a298',
  'devices/003': '41b1d39e49997046facf0d9507fa8d97dcf3de7698a3803eaded75961d83af58',
  'alerts/004': 'eb8c7f7ef9227d01a06a6c607c9d1a1e68247eb723da915f9b3d73b2631f207d',
  'upstream/005': 'fb0a78f5d08c99eb57f5ea9f3af487d54012e7f4a80248073681ed436269e948',
  'upstream/006': '9c332f9bae0b56686c9158f6bc83abfda29052beec145a6da6851bc4264d8130',
  'report/007': 'b08461829d83296c953d38b57735d2fa4d61570f364aed1df4c7460b3d9ef310',
  'alerts/009': 'c00eea53cecb2a9e97ccc4d1020827d074a74703b7efcc7b102d49d855ded374',
  'traffic/012': '9ea7a32ac01b85f9f49bea1a8ab49fe8f660f422fff7750af4e23ffd24c4b1e1',
};

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The schema as sqlite_master holds it, sorted (what a migration made, independent of order). */
function schemaText(db: Db): string[] {
  const rows = db.prepare("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name").pluck().all();
  return rows.map(String);
}

function appliedVia(db: Db): Record<string, string> {
  const rows = db.prepare('SELECT id, via FROM schema_migrations').all() as { id: string; via: string }[];
  return Object.fromEntries(rows.map((r) => [r.id, r.via]));
}

function tempDir(t: { teardown(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'utm-migrations-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('shipped migrations keep their SQL byte for byte, and the old list is exactly the shipped ones', (t) => {
  t.deepEqual([...LEGACY_ORDER], Object.keys(SHIPPED));
  for (const m of everyMigration) {
    const pinned = SHIPPED[m.id];
    if (pinned !== undefined) t.is(sha(m.sql), pinned, `${m.id} was edited after it shipped: add a new migration instead`);
  }
  t.deepEqual(everyMigration.map((m) => m.id).filter((id) => id in SHIPPED).sort(), Object.keys(SHIPPED).sort(), 'every shipped migration still has an owner');
});

for (let n = 0; n <= LEGACY_ORDER.length; n++) {
  test(`a database of the old scheme at user_version ${n} opens, adopting ${n} migrations and running the rest once`, (t) => {
    const file = join(tempDir(t), 'utm.db');
    const old = oldSchemeDb(file, n);
    if (n >= 1) old.prepare("INSERT INTO alerts (kind, severity, dedup_key, action, count, first_seen, last_seen, params, evidence) VALUES ('k', 'info', 'd', 'logged', 1, 1, 1, '{}', '{}')").run();
    old.close();

    const db = openDb(file, everyMigration);
    const via = appliedVia(db);
    t.deepEqual(Object.keys(via).sort(), everyMigration.map((m) => m.id).sort());
    for (const [i, id] of LEGACY_ORDER.entries()) t.is(via[id], i < n ? 'user_version' : 'ran', id);
    const fresh = openDb(':memory:', everyMigration);
    t.deepEqual(schemaText(db), schemaText(fresh), 'the same schema as a new database');
    fresh.close();
    if (n >= 1) t.is(db.prepare('SELECT count(*) FROM alerts').pluck().get(), 1, 'rows kept');
    t.is(db.pragma('user_version', { simple: true }), LEGACY_ORDER.length, 'older firmware still reads it as its own');
    db.close();

    // Opening again runs nothing and keeps the record.
    const again = openDb(file, everyMigration);
    t.deepEqual(appliedVia(again), via);
    again.close();
  });
}

test("a feature's migrations run once, in number order, after the store's, whatever order they are listed in", (t) => {
  const file = join(tempDir(t), 'utm.db');
  const feature = {
    migrations: [
      { id: 'gadget/031', sql: "INSERT INTO gadget_log (step) VALUES ('031');" },
      { id: 'gadget/030', sql: "CREATE TABLE gadget_log (step TEXT NOT NULL); INSERT INTO gadget_log (step) SELECT 'saw alerts' FROM sqlite_master WHERE name = 'alerts';" },
    ],
  };
  for (let i = 0; i < 3; i++) openDb(file, schemaOf([feature])).close();
  const db = openDb(file, schemaOf([feature]));
  t.deepEqual(db.prepare('SELECT step FROM gadget_log ORDER BY rowid').pluck().all(), ['saw alerts', '031']);
  t.like(appliedVia(db), { 'gadget/030': 'ran', 'gadget/031': 'ran' });
  t.is(db.pragma('user_version', { simple: true }), IDS_TRACKED, 'older firmware refuses it rather than running its list over it');
  db.close();
});

test('a feature added later gets its tables on an existing database; the others are not run again', (t) => {
  const file = join(tempDir(t), 'utm.db');
  const storeOnly = openDb(file, storeMigrations);
  t.is(storeOnly.pragma('user_version', { simple: true }), IDS_TRACKED, 'not a prefix of the old list: older firmware must refuse it');
  storeOnly.close();
  const db = openDb(file, everyMigration);
  t.is(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'feed_status'").pluck().get(), 1);
  t.is(appliedVia(db)['blocklist/002'], 'ran');
  t.is(db.pragma('user_version', { simple: true }), LEGACY_ORDER.length, 'the whole old list again: older firmware may open it');
  db.close();
});

test('a database that records a migration this utmd does not know (newer firmware) is refused, untouched', (t) => {
  const file = join(tempDir(t), 'utm.db');
  const first = openDb(file, everyMigration);
  first.prepare("INSERT INTO schema_migrations (id, applied_at, via) VALUES ('alerts/099', 0, 'ran')").run();
  first.close();
  const e = t.throws(() => openDb(file, everyMigration), { instanceOf: StoreError });
  t.regex(e?.message ?? '', /alerts\/099/);
  t.regex(e?.message ?? '', /newer firmware/);
});

test('an old-scheme database of newer firmware (user_version beyond the old list) is refused', (t) => {
  const db = new Database(':memory:');
  db.pragma(`user_version = ${LEGACY_ORDER.length + 1}`);
  t.throws(() => migrate(db, everyMigration), { instanceOf: StoreError, message: /newer than this utmd/ });
  db.close();
});

test('older firmware that ran more of the old list after the ids came is caught up, not run again', (t) => {
  const file = join(tempDir(t), 'utm.db');
  // New firmware opened a 3-migration database with only the store's owners running...
  const db = oldSchemeDb(file, 3);
  migrate(db, LEGACY_ORDER.slice(0, 3).map((id) => everyMigration.find((m) => m.id === id)).filter((m): m is Migration => m !== undefined));
  t.is(db.pragma('user_version', { simple: true }), 3);
  // ...then the other slot's older firmware ran the fourth under user_version.
  db.transaction(() => {
    db.exec(everyMigration.find((m) => m.id === LEGACY_ORDER[3])?.sql ?? '');
    db.pragma('user_version = 4');
  })();
  migrate(db, everyMigration);
  t.is(appliedVia(db)[LEGACY_ORDER[3] ?? ''], 'user_version');
  t.is(db.pragma('user_version', { simple: true }), LEGACY_ORDER.length);
  db.close();
});

test('a list with two owners on one number, or a malformed id, is refused before anything runs', (t) => {
  const db = new Database(':memory:');
  t.throws(() => migrate(db, [...everyMigration, { id: 'gadget/002', sql: 'CREATE TABLE x (a);' }]), { instanceOf: MigrationListError, message: /share number 2/ });
  t.throws(() => migrate(db, [{ id: 'gadget-1', sql: '' }]), { instanceOf: MigrationListError });
  t.is(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'alerts'").pluck().get(), 0);
  db.close();
});
