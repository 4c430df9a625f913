// 006: what the box tells the monitoring centre on its own (app/reporting.ts): condition
// episodes not yet closed by a recovery message, the day's running counters (blocked attempts
// by feed category, time the upstream link was up), and each day's statistics kept for the
// monthly report. IF NOT EXISTS: safe whichever order the numbered migrations land in.
export const m006reporting = `
  CREATE TABLE IF NOT EXISTS condition_episodes (
    id          TEXT PRIMARY KEY,
    failed_at   INTEGER NOT NULL,
    detail      TEXT NOT NULL,
    good_since  INTEGER
  );

  CREATE TABLE IF NOT EXISTS stats_counters (
    day    TEXT NOT NULL,
    name   TEXT NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (day, name)
  );

  CREATE TABLE IF NOT EXISTS daily_stats (
    day          TEXT PRIMARY KEY,
    from_ms      INTEGER NOT NULL,
    to_ms        INTEGER NOT NULL,
    computed_at  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    seq          INTEGER
  );
`;
