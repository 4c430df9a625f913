// The blocklist feature's migrations (BlocklistFeature.migrations).
// Moved from store/migrations/ with their SQL unchanged; never edit one that has shipped.
import type { Migration } from '../store/migration.js';

// 002: blocklist feeds (owned by the blocklist feature): per-feed status, manual blocks
// with expiry, and the technician's allowlist additions.
const m002blocklist = `
  CREATE TABLE feed_status (
    feed_id              TEXT PRIMARY KEY,
    last_attempt_at      INTEGER,
    last_success_at      INTEGER,
    last_change_at       INTEGER,
    entries              INTEGER NOT NULL DEFAULT 0,
    usable               INTEGER NOT NULL DEFAULT 0,
    data_lines           INTEGER NOT NULL DEFAULT 0,
    rejected             TEXT NOT NULL DEFAULT '{}',
    last_error           TEXT,
    last_error_at        INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    validators           TEXT NOT NULL DEFAULT '{}'
  );

  CREATE TABLE manual_blocks (
    entry       TEXT PRIMARY KEY,
    added_at    INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    reason      TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX manual_blocks_expiry ON manual_blocks (expires_at);

  CREATE TABLE allow_entries (
    entry     TEXT PRIMARY KEY,
    added_at  INTEGER NOT NULL,
    note      TEXT NOT NULL DEFAULT ''
  );
`;

/** Run in number order, once each (store/db.ts). */
export const blocklistMigrations: readonly Migration[] = [
  { id: 'blocklist/002', sql: m002blocklist },
];
