// Repository of per-device byte totals of ended connections (migration 012). Bounded: an
// address silent for RETAIN_MS (IPv6 privacy addresses come and go) is forgotten.
import type { Db } from '../store/db.js';
import type { DeviceBytes } from './byteLedger.js';

const RETAIN_MS = 31 * 24 * 3600 * 1000;

interface Row { ip: string; tx_bytes: number; rx_bytes: number; tx_packets: number; rx_packets: number }

export class DeviceBytesRepo {
  private readonly upsertStmt;
  private readonly allStmt;
  private readonly pruneStmt;

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.upsertStmt = db.prepare(`INSERT INTO device_bytes (ip, tx_bytes, rx_bytes, tx_packets, rx_packets, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (ip) DO UPDATE SET tx_bytes = excluded.tx_bytes, rx_bytes = excluded.rx_bytes, tx_packets = excluded.tx_packets, rx_packets = excluded.rx_packets, updated_at = excluded.updated_at`);
    this.allStmt = db.prepare(`SELECT ip, tx_bytes, rx_bytes, tx_packets, rx_packets FROM device_bytes`);
    this.pruneStmt = db.prepare(`DELETE FROM device_bytes WHERE updated_at < ?`);
  }

  /** Every stored total. */
  all(): DeviceBytes[] {
    return (this.allStmt.all() as Row[]).map((r) => ({ ip: r.ip, txBytes: r.tx_bytes, rxBytes: r.rx_bytes, txPackets: r.tx_packets, rxPackets: r.rx_packets }));
  }

  /** Stores changed totals in one transaction and forgets long-silent addresses. */
  save(rows: readonly DeviceBytes[]): void {
    const at = this.now();
    this.db.transaction(() => {
      for (const r of rows) this.upsertStmt.run(r.ip, r.txBytes, r.rxBytes, r.txPackets, r.rxPackets, at);
      this.pruneStmt.run(at - RETAIN_MS);
    })();
  }
}
