// The office report's migrations: staff 対応済み marks and the monthly report snapshots (007).
// Moved from store/migrations/ with their SQL unchanged; never edit one that has shipped.
import type { Migration } from '../store/migration.js';

// 007 (issue 12): staff "対応済み" marks — who marked which alert or incident as handled, when,
// and an optional note; one mark per target, a later mark replaces the earlier one — and the
// monthly report snapshots: a finished month's report is stored once (JSON of its facts), so
// it survives the pruning of alerts, incidents and daily counters.
// IF NOT EXISTS: safe whichever order the numbered migrations land in.
const m007acks = `
  CREATE TABLE IF NOT EXISTS acknowledgements (
    target     TEXT NOT NULL CHECK (target IN ('alert', 'incident')),
    target_id  INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    note       TEXT,
    PRIMARY KEY (target, target_id)
  );
  CREATE INDEX IF NOT EXISTS acknowledgements_at ON acknowledgements (at);

  CREATE TABLE IF NOT EXISTS monthly_reports (
    month        TEXT PRIMARY KEY,
    computed_at  INTEGER NOT NULL,
    body         TEXT NOT NULL
  );
`;

/** Run in number order, once each (store/db.ts). */
export const reportMigrations: readonly Migration[] = [
  { id: 'report/007', sql: m007acks },
];
