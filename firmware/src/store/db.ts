// Opens the SQLite database in the state dir: WAL, foreign keys, numbered migrations
// tracked in `user_version`. Each migration runs in its own transaction.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export class StoreError extends Error {
  override name = 'StoreError';
}

/** Opens (creating if needed) and migrates the database at `file` (':memory:' for tests). */
export function openDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Applies every migration newer than the database's `user_version`. */
export function migrate(db: Db): void {
  const current = Number(db.pragma('user_version', { simple: true })); // an integer, 0 for a new file
  if (current > MIGRATIONS.length) {
    throw new StoreError(`database version ${current} is newer than this utmd (${MIGRATIONS.length}); refusing to touch it`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
