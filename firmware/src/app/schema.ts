// The database schema utmd opens: the migrations of the owners that are not features (the
// store's core, alerts, upstream, the office report), listed here by the composition root,
// and those each running feature brings (Feature.migrations). store/db.ts runs them.
import type { Feature } from '../feature/contract.js';
import type { Migration } from '../store/migration.js';
import { coreMigrations } from '../store/migrations.js';
import { alertsMigrations } from '../alerts/migrations.js';
import { upstreamMigrations } from '../upstream/migrations.js';
import { reportMigrations } from '../report/migrations.js';
import { blocklistMigrations } from '../blocklist/migrations.js';
import { devicesMigrations } from '../devices/migrations.js';

/** The migrations of the store and the owners around it (everything but the features). */
export const storeMigrations: readonly Migration[] = [...coreMigrations, ...alertsMigrations, ...upstreamMigrations, ...reportMigrations];

/** Feature tables the composition root reads itself, so they exist even when that feature
 *  does not run: feed status and the inventory for reporting (app/reportingWiring.ts), the
 *  inventory for the office page and monthly report (app/officePort.ts). */
const readByTheRoot: readonly Migration[] = [...blocklistMigrations, ...devicesMigrations];

/** Every migration utmd runs with these features (each once, however many list it). */
export function schemaOf(features: readonly Pick<Feature, 'migrations'>[]): Migration[] {
  return [...new Set([...storeMigrations, ...readByTheRoot, ...features.flatMap((f) => f.migrations ?? [])])];
}
