// The traffic feature's migrations (TrafficFeature.migrations).
// Moved from store/migrations/ with their SQL unchanged; never edit one that has shipped.
import type { Migration } from '../store/migration.js';

// 012: per-device byte totals of ended connections (traffic/byteLedger.ts). The counts come
// from conntrack accounting instead of per-packet counter sets; what ended connections
// carried is summed in utmd and kept here so a restart of utmd does not reset the figures
// `utmctl status` shows. One row per office address. IF NOT EXISTS: safe whichever order
// the numbered migrations land in.
const m012deviceBytes = `
  CREATE TABLE IF NOT EXISTS device_bytes (
    ip          TEXT PRIMARY KEY,
    tx_bytes    INTEGER NOT NULL,
    rx_bytes    INTEGER NOT NULL,
    tx_packets  INTEGER NOT NULL,
    rx_packets  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
`;

/** Run in number order, once each (store/db.ts). */
export const trafficMigrations: readonly Migration[] = [
  { id: 'traffic/012', sql: m012deviceBytes },
];
