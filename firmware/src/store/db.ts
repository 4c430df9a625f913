// Opens the SQLite database in the state dir: WAL, foreign keys, and the migrations of every
// owner (store/migration.ts), each run once, in its own transaction, and recorded by id in
// `schema_migrations`. A database from before ids (user_version counted one global list) is
// adopted by store/legacy.ts without running anything again.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { inRunOrder, type Migration } from './migration.js';
import { IDS_TRACKED, LEGACY_ORDER, legacyApplied, userVersionFor } from './legacy.js';

export type Db = Database.Database;

export class StoreError extends Error {
  override name = 'StoreError';
}

/** Opens (creating if needed) the database at `file` (':memory:' for tests; the bytes of a
 *  database: a copy of it in memory, readDbCopy) and runs the `migrations` it has not run.
 *  Throws StoreError for a database of newer firmware. */
export function openDb(file: string | Buffer, migrations: readonly Migration[]): Db {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Runs every one of `migrations` the database has not run, in number order, and records it.
 *  Throws StoreError when the database records a migration this utmd does not know (it was
 *  used by newer firmware), MigrationListError for a malformed list. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const plan = inRunOrder(migrations);
  const applied = adopt(db);
  const known = new Set([...plan.map((m) => m.id), ...LEGACY_ORDER]);
  const unknown = [...applied].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new StoreError(`the database has migrations this utmd does not know (${unknown.join(', ')}): newer firmware used it; refusing to touch it`);
  }
  const record = db.prepare("INSERT INTO schema_migrations (id, applied_at, via) VALUES (?, unixepoch(), 'ran')");
  for (const m of plan) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id);
      applied.add(m.id);
      db.pragma(`user_version = ${userVersionFor(applied)}`);
    })();
  }
}

/** The ids the database has applied, recording once those an old-scheme user_version implies. */
function adopt(db: Db): Set<string> {
  return db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id          TEXT PRIMARY KEY,
      applied_at  INTEGER NOT NULL,
      via         TEXT NOT NULL
    )`);
    const version = Number(db.pragma('user_version', { simple: true })); // an integer, 0 for a new file
    const implied = legacyApplied(version);
    if (implied === null && version !== IDS_TRACKED) {
      throw new StoreError(`database version ${version} is newer than this utmd (${LEGACY_ORDER.length}); refusing to touch it`);
    }
    // Older firmware may have run more of the old list since (rollback, then forward again).
    const adopted = db.prepare("INSERT OR IGNORE INTO schema_migrations (id, applied_at, via) VALUES (?, unixepoch(), 'user_version')");
    for (const id of implied ?? []) adopted.run(id);
    const rows = db.prepare('SELECT id FROM schema_migrations').pluck().all();
    return new Set(rows.filter((r): r is string => typeof r === 'string'));
  })();
}

/** The bytes of the database at `file` (its WAL included), read without writing a byte: the
 *  copy a store in memory starts from when the disk's cannot be opened for writing (a
 *  read-only or full file system). Null when there is none, it cannot be read, or its file is
 *  larger than `maxBytes` (the copy lives in utmd's memory). */
export function readDbCopy(file: string, maxBytes: number): Buffer | null {
  try {
    if (statSync(file).size > maxBytes) return null;
    const disk = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const bytes = disk.serialize();
      // a WAL database's header says so (bytes 18, 19: 2); a database in memory has no WAL,
      // and SQLite refuses to open one that says it has (SQLITE_CANTOPEN): rollback journal (1)
      if (bytes.length >= 20 && bytes[18] === 2) bytes[18] = 1;
      if (bytes.length >= 20 && bytes[19] === 2) bytes[19] = 1;
      return bytes;
    } finally {
      disk.close();
    }
  } catch {
    return null;
  }
}
