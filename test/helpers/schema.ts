// The schema utmd runs with every feature of app/compose.ts: the store's owners and the
// features' own migrations. Tests open a database with it (`openDb(':memory:', everyMigration)`).
import Database from 'better-sqlite3';
import { schemaOf } from '../../firmware/src/app/schema.js';
import { blocklistMigrations } from '../../firmware/src/blocklist/migrations.js';
import { devicesMigrations } from '../../firmware/src/devices/migrations.js';
import { trafficMigrations } from '../../firmware/src/traffic/migrations.js';
import type { Migration } from '../../firmware/src/store/migration.js';
import { LEGACY_ORDER } from '../../firmware/src/store/legacy.js';

/** Every migration of the product, as utmd with all its features runs them. */
export const everyMigration: readonly Migration[] = schemaOf([
  { migrations: blocklistMigrations },
  { migrations: devicesMigrations },
  { migrations: trafficMigrations },
]);

/** The SQL of the old global list (store/legacy.ts LEGACY_ORDER), in its order. */
export function oldList(): string[] {
  return LEGACY_ORDER.map((id) => {
    const m = everyMigration.find((x) => x.id === id);
    if (!m) throw new Error(`${id} of the old list is nobody's migration`);
    return m.sql;
  });
}

/** A database as firmware before migration ids left it: the first `n` of the old list run,
 *  each with `user_version` set to its count (the old store/db.ts migrate loop). */
export function oldSchemeDb(file: string, n: number): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  for (const [i, sql] of oldList().slice(0, n).entries()) {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}
