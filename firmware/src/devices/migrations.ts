// The devices feature's migrations (DevicesFeature.migrations).
// Moved from store/migrations/ with their SQL unchanged; never edit one that has shipped.
import type { Migration } from '../store/migration.js';

// 003: device inventory (owned by the devices feature): one row per device (the validated
// record as JSON, with the columns we query by), the audit log of every decision, and
// feature facts kept once (the start of the learning period).
const m003devices = `
  CREATE TABLE devices (
    mac          TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    record       TEXT NOT NULL
  );
  CREATE INDEX devices_status ON devices (status);

  CREATE TABLE device_audit (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    mac          TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    detail       TEXT
  );
  CREATE INDEX device_audit_mac ON device_audit (mac, at);

  CREATE TABLE device_meta (
    key          TEXT PRIMARY KEY,
    value        TEXT NOT NULL
  );
`;

/** Run in number order, once each (store/db.ts). */
export const devicesMigrations: readonly Migration[] = [
  { id: 'devices/003', sql: m003devices },
];
