// The store's core migration: the alerts and the upstream outbox every owner builds on.
// The other owners keep theirs in their own folders (store/migration.ts). Never edit a
// migration that has shipped.
import type { Migration } from './migration.js';

// 1: alerts and the upstream outbox.
const m001core = `
  CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    dedup_key    TEXT NOT NULL,
    device_mac   TEXT,
    device_ip    TEXT,
    remote_ip    TEXT,
    remote_port  INTEGER,
    direction    TEXT,
    action       TEXT NOT NULL,
    count        INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    params       TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    incident_id  INTEGER
  );
  CREATE INDEX alerts_key ON alerts (kind, dedup_key, last_seen);
  CREATE INDEX alerts_recent ON alerts (last_seen DESC);

  CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    alert_id     INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    payload      BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_error   TEXT,
    sent_at      INTEGER
  );
  CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt);
`;

/** Run in number order, once each (store/db.ts). */
export const coreMigrations: readonly Migration[] = [
  { id: 'core/001', sql: m001core },
];
