// The alerts' migrations: incidents and mutes (004, once named after traffic, whose
// detectors first needed them; alerts/incidentsRepo.ts and alerts/mutesRepo.ts read them), and
// what upstream was told of each alert's size (009).
// Moved from store/migrations/ with their SQL unchanged; never edit one that has shipped.
import type { Migration } from '../store/migration.js';

// 4: incidents (related alerts on one device within a window) and technician mutes.
const m004traffic = `
  CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    device_key    TEXT NOT NULL,
    device_mac    TEXT,
    device_ip     TEXT,
    opened_at     INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    kinds         TEXT NOT NULL,
    stages        TEXT NOT NULL,
    findings      INTEGER NOT NULL,
    base_severity TEXT NOT NULL,
    severity      TEXT NOT NULL
  );
  CREATE INDEX incidents_device ON incidents (device_key, last_at DESC);
  CREATE INDEX incidents_recent ON incidents (last_at DESC);
  CREATE INDEX alerts_incident ON alerts (incident_id);

  CREATE TABLE mutes (
    id          INTEGER PRIMARY KEY,
    device      TEXT,
    remote      TEXT,
    kind        TEXT,
    until       INTEGER,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    CHECK (device IS NOT NULL OR remote IS NOT NULL)
  );
`;

// 009: what upstream was last told of each alert's size (alerts/grow.ts), so that a finding
// that has at least doubled since is told again (its final figures, once it has been quiet a
// while) rather than frozen at its first sighting or repeated at every new server. `pending`
// is when it became worth telling (0: nothing to tell). A side table, IF NOT EXISTS: safe whichever
// order the numbered migrations of parallel branches land in.
const m009alertGrowth = `
  CREATE TABLE IF NOT EXISTS alert_told (
    alert_id  INTEGER PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
    size      TEXT NOT NULL,
    pending   INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS alert_told_pending ON alert_told (pending) WHERE pending > 0;
`;

/** Run in number order, once each (store/db.ts). */
export const alertsMigrations: readonly Migration[] = [
  { id: 'alerts/004', sql: m004traffic },
  { id: 'alerts/009', sql: m009alertGrowth },
];
