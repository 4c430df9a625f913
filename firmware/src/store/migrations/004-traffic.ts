// 4: incidents (related alerts on one device within a window) and technician mutes.
export const m004traffic = `
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
