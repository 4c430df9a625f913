// A schema migration and the order migrations run in. Each aggregate owns its migrations,
// in its own folder (`<owner>/migrations.ts`): the store's core (alerts, outbox) here,
// alerts, upstream and report beside their repositories, and each feature declares its own
// (Feature.migrations). A migration is known by a stable id `<owner>/<NNN>`: the number is
// the session-wide migration number (unique across owners), and it fixes the order in which
// pending migrations run. Never edit a migration that has shipped: add a new one.

/** One migration: its stable id (`owner/NNN`) and the SQL it runs once, in one transaction. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/** A list of migrations that cannot run (malformed id, a repeated id or number). */
export class MigrationListError extends Error {
  override name = 'MigrationListError';
}

const ID = /^([a-z][A-Za-z0-9]*)\/(\d{3})$/;

/** The number of a migration id (`blocklist/002` → 2); throws MigrationListError when malformed. */
export function migrationNumber(id: string): number {
  const m = ID.exec(id);
  if (!m?.[2]) throw new MigrationListError(`migration id "${id}" is not <owner>/<NNN>`);
  return Number(m[2]);
}

/** The migrations in the order they run (by number). Throws MigrationListError on a malformed
 *  id, an id listed twice, or two owners claiming one number (the order would be a guess). */
export function inRunOrder(migrations: readonly Migration[]): Migration[] {
  const byNumber = new Map<number, string>();
  for (const m of migrations) {
    const n = migrationNumber(m.id);
    const other = byNumber.get(n);
    if (other !== undefined) {
      throw new MigrationListError(other === m.id ? `migration ${m.id} is listed twice` : `migrations ${other} and ${m.id} share number ${n}`);
    }
    byNumber.set(n, m.id);
  }
  return [...migrations].sort((a, b) => migrationNumber(a.id) - migrationNumber(b.id));
}
