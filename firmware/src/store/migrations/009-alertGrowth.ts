// 009: what upstream was last told of each alert's size (alerts/grow.ts), so that a finding
// that has at least doubled since is told again (its final figures, once it has been quiet a
// while) rather than frozen at its first sighting or repeated at every new server. `pending`
// is when it became worth telling (0: nothing to tell). A side table, IF NOT EXISTS: safe whichever
// order the numbered migrations of parallel branches land in.
export const m009alertGrowth = `
  CREATE TABLE IF NOT EXISTS alert_told (
    alert_id  INTEGER PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
    size      TEXT NOT NULL,
    pending   INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS alert_told_pending ON alert_told (pending) WHERE pending > 0;
`;
