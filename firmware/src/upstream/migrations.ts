// The upstream's migrations: the numbered outbox (005) and what the box reports on its own
// (006, read by upstream/reportingRepo.ts).
// Moved from store/migrations/ with their SQL unchanged; never edit one that has shipped.
import type { Migration } from '../store/migration.js';

// 5: the upstream outbox gets per-box sequence numbers (never reused, even after kill -9:
// the counter is a row committed with the message), a class and byte size per row for the
// bounded queue's overflow policy, and counters of what overflow dropped per class.
// Delivery is confirmed in sequence order, so "confirmed" is one watermark
// (upstream_state.lastConfirmedSeq): a row is waiting while its seq is above it. Confirming
// 10,000 messages is then one statement, not 10,000 row updates. Messages queued by older
// firmware are numbered in their id order and everything from the first unsent one on waits
// (their bytes carry no sequenceId; they are delivered as they are).
const m005upstream = `
  ALTER TABLE outbox ADD COLUMN seq INTEGER;
  ALTER TABLE outbox ADD COLUMN class TEXT NOT NULL DEFAULT 'alert';
  ALTER TABLE outbox ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
  UPDATE outbox SET seq = id, bytes = length(payload);
  CREATE UNIQUE INDEX outbox_seq ON outbox (seq);
  CREATE INDEX outbox_class ON outbox (class, seq);

  CREATE TABLE upstream_state (
    key   TEXT PRIMARY KEY,
    value INTEGER
  ) WITHOUT ROWID;
  INSERT INTO upstream_state (key, value) VALUES
    ('nextSeq', (SELECT coalesce(max(id), 0) + 1 FROM outbox)),
    ('lastConfirmedSeq', (SELECT CASE WHEN count(*) = 0 THEN NULL
                                      ELSE coalesce((SELECT min(id) - 1 FROM outbox WHERE sent_at IS NULL), max(id)) END FROM outbox)),
    ('lastConfirmedAt', NULL);
  INSERT INTO upstream_state (key, value) VALUES
    ('waitingCount', (SELECT count(*) FROM outbox WHERE seq > coalesce((SELECT value FROM upstream_state WHERE key = 'lastConfirmedSeq'), 0))),
    ('waitingBytes', (SELECT coalesce(sum(bytes), 0) FROM outbox WHERE seq > coalesce((SELECT value FROM upstream_state WHERE key = 'lastConfirmedSeq'), 0)));

  -- Queue depth and bytes kept by triggers in the same transaction as the row change, so the
  -- bound is checked without counting the queue on every message; confirmation moves the
  -- watermark and subtracts its range in OutboxRepo.confirmThrough.
  CREATE TRIGGER outbox_waiting_add AFTER INSERT ON outbox BEGIN
    UPDATE upstream_state SET value = value + 1 WHERE key = 'waitingCount';
    UPDATE upstream_state SET value = value + NEW.bytes WHERE key = 'waitingBytes';
  END;
  CREATE TRIGGER outbox_waiting_del AFTER DELETE ON outbox
    WHEN OLD.seq > coalesce((SELECT value FROM upstream_state WHERE key = 'lastConfirmedSeq'), 0) BEGIN
    UPDATE upstream_state SET value = value - 1 WHERE key = 'waitingCount';
    UPDATE upstream_state SET value = value - OLD.bytes WHERE key = 'waitingBytes';
  END;

  CREATE TABLE upstream_lost (
    class      TEXT PRIMARY KEY,
    total      INTEGER NOT NULL DEFAULT 0,
    unreported INTEGER NOT NULL DEFAULT 0,
    first_seq  INTEGER,
    last_seq   INTEGER
  ) WITHOUT ROWID;
`;

// 006: what the box tells the monitoring centre on its own (app/reporting.ts): condition
// episodes not yet closed by a recovery message, the day's running counters (blocked attempts
// by feed category, time the upstream link was up), and each day's statistics kept for the
// monthly report. IF NOT EXISTS: safe whichever order the numbered migrations land in.
const m006reporting = `
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

/** Run in number order, once each (store/db.ts). */
export const upstreamMigrations: readonly Migration[] = [
  { id: 'upstream/005', sql: m005upstream },
  { id: 'upstream/006', sql: m006reporting },
];
