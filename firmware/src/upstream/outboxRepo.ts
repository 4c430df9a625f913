// Repository of the upstream outbox: every message to the monitoring centre, numbered, waits
// here until its delivery is confirmed (seq above the confirmed watermark). The sequence counter lives in the same database and
// moves in the same transaction as the row, so a number is never given twice (kill -9
// included). The queue is bounded by count and bytes; overflow drops the lowest DROP_RANK
// class first (oldest first within a class) and counts what it dropped per class.
import { DROP_RANK, type MessageClass } from './contract.js';
import type { Db } from '../store/db.js';

export interface WaitingMessage {
  seq: number;
  payload: Buffer;
  bytes: number;
}

export interface OutboxLosses {
  byClass: Partial<Record<MessageClass, number>>;
  total: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

const CLASSES_BY_RANK = (Object.keys(DROP_RANK) as MessageClass[]).sort((a, b) => DROP_RANK[a] - DROP_RANK[b]);

export class OutboxRepo {
  private readonly getState;
  private readonly setState;
  private readonly insertStmt;
  private readonly waitingAfterStmt;
  private readonly firstWaitingStmt;
  private readonly oldestStmt;
  private readonly confirmSumStmt;
  private readonly waitingDownStmt;
  private readonly victimsStmt;
  private readonly deleteStmt;
  private readonly lostStmt;
  private readonly lostAllStmt;
  private readonly lostResetStmt;
  private readonly pruneStmt;
  private readonly dropTx;
  private readonly confirmTx;
  private readonly takeLossesTx;

  constructor(private readonly db: Db) {
    this.getState = db.prepare(`SELECT value FROM upstream_state WHERE key = ?`).pluck();
    this.setState = db.prepare(`UPDATE upstream_state SET value = ? WHERE key = ?`);
    this.insertStmt = db.prepare(`INSERT INTO outbox (seq, class, alert_id, payload, bytes, created_at, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.waitingAfterStmt = db.prepare(`SELECT seq, payload, bytes FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.firstWaitingStmt = db.prepare(`SELECT seq FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1`).pluck();
    this.oldestStmt = db.prepare(`SELECT created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1`).pluck();
    this.confirmSumStmt = db.prepare(`SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM outbox WHERE seq > ? AND seq <= ?`);
    this.waitingDownStmt = db.prepare(`UPDATE upstream_state SET value = value - ? WHERE key = ?`);
    this.victimsStmt = db.prepare(`SELECT seq, bytes FROM outbox WHERE class = ? AND seq > ? ORDER BY seq LIMIT ?`);
    this.deleteStmt = db.prepare(`DELETE FROM outbox WHERE seq = ?`);
    this.lostStmt = db.prepare(`INSERT INTO upstream_lost (class, total, unreported, first_seq, last_seq) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (class) DO UPDATE SET total = total + excluded.total, unreported = unreported + excluded.unreported,
        first_seq = coalesce(first_seq, excluded.first_seq), last_seq = excluded.last_seq`);
    this.lostAllStmt = db.prepare(`SELECT class, total, unreported, first_seq AS firstSeq, last_seq AS lastSeq FROM upstream_lost`);
    this.lostResetStmt = db.prepare(`UPDATE upstream_lost SET unreported = 0, first_seq = NULL, last_seq = NULL`);
    this.pruneStmt = db.prepare(`DELETE FROM outbox WHERE seq <= ? AND created_at < ?`);
    this.dropTx = db.transaction((maxMessages: number, maxBytes: number) => this.dropNow(maxMessages, maxBytes));
    this.confirmTx = db.transaction((seq: number, now: number) => {
      const mark = this.watermark();
      if (seq <= mark) return 0;
      const sum = this.confirmSumStmt.get(mark, seq) as { n: number; b: number };
      this.waitingDownStmt.run(sum.n, 'waitingCount');
      this.waitingDownStmt.run(sum.b, 'waitingBytes');
      this.setState.run(seq, 'lastConfirmedSeq');
      this.setState.run(now, 'lastConfirmedAt');
      return sum.n;
    });
    this.takeLossesTx = db.transaction((): OutboxLosses | null => {
      const l = this.losses('unreported');
      if (l.total === 0) return null;
      this.lostResetStmt.run();
      return l;
    });
  }

  /** Gives the next sequence number and moves the persisted counter (call inside the transaction that appends). */
  takeSeq(): number {
    const n = Number(this.getState.get('nextSeq'));
    this.setState.run(n + 1, 'nextSeq');
    return n;
  }

  /** Moves the counter `n` ahead: a store in memory copied from the disk's gives numbers the
   *  disk's counter does not know of; after a repair the disk's store must not give them again
   *  before `n` more messages (years of a box's messages). */
  skipAhead(n: number): void {
    this.setState.run(this.nextSeq() + n, 'nextSeq');
  }

  /** The number the next message will get. */
  nextSeq(): number {
    return Number(this.getState.get('nextSeq'));
  }

  /** Stores a numbered message as waiting. */
  append(m: { seq: number; cls: MessageClass; alertId: number | null; payload: Buffer; now: number }): void {
    this.insertStmt.run(m.seq, m.cls, m.alertId, m.payload, m.payload.length, m.now, m.now);
  }

  /** Drops waiting messages by the overflow policy until within 95% of both bounds (so the scan
   *  runs once per 5% of capacity, not per message); returns how many it dropped. */
  enforceBounds(maxMessages: number, maxBytes: number): number {
    const { count, bytes } = this.pending();
    if (count <= maxMessages && bytes <= maxBytes) return 0;
    return this.dropTx(Math.floor(maxMessages * 0.95), Math.floor(maxBytes * 0.95));
  }

  private dropNow(maxMessages: number, maxBytes: number): number {
    let { count, bytes } = this.pending();
    let dropped = 0;
    for (const cls of CLASSES_BY_RANK) {
      while (count > maxMessages || bytes > maxBytes) {
        const need = Math.max(count - maxMessages, 1);
        const rows = this.victimsStmt.all(cls, this.watermark(), Math.min(Math.max(need, 64), 5000)) as { seq: number; bytes: number }[];
        if (!rows.length) break;
        let n = 0;
        for (const r of rows) {
          if (count <= maxMessages && bytes <= maxBytes) break;
          this.deleteStmt.run(r.seq);
          count--;
          bytes -= r.bytes;
          n++;
        }
        const first = rows[0];
        const last = rows[n - 1];
        if (first === undefined || last === undefined) break; // n >= 1: the loop is over a limit
        this.lostStmt.run(cls, n, n, first.seq, last.seq);
        dropped += n;
      }
    }
    return dropped;
  }

  /** Waiting messages with seq > afterSeq, in sequence order. */
  waitingAfter(afterSeq: number, limit: number): WaitingMessage[] {
    return this.waitingAfterStmt.all(Math.max(afterSeq, this.watermark()), limit) as WaitingMessage[];
  }

  /** The lowest waiting sequence number, or null when nothing waits. */
  firstWaitingSeq(): number | null {
    const v = this.firstWaitingStmt.get(this.watermark()) as number | undefined;
    return v ?? null;
  }

  /** Everything at or below this number is confirmed (0: nothing yet). */
  private watermark(): number {
    return this.lastConfirmedSeq() ?? 0;
  }

  /** Marks every waiting message with seq ≤ `seq` delivered (delivery is in order, so this
   *  moves one watermark); returns how many. */
  confirmThrough(seq: number, now: number): number {
    return this.confirmTx(seq, now);
  }

  lastConfirmedSeq(): number | null {
    const v = this.getState.get('lastConfirmedSeq');
    return v === null || v === undefined ? null : Number(v);
  }

  lastConfirmedAt(): number | null {
    const v = this.getState.get('lastConfirmedAt');
    return v === null || v === undefined ? null : Number(v);
  }

  /** Waiting messages: how many, how many bytes, created_at of the oldest. */
  pending(): { count: number; bytes: number; oldest: number | null } {
    const oldest = this.oldestStmt.get(this.watermark()) as number | undefined;
    return { count: Number(this.getState.get('waitingCount')), bytes: Number(this.getState.get('waitingBytes')), oldest: oldest ?? null };
  }

  /** Messages dropped by overflow per class: since install (`total`) or not yet told upstream (`unreported`). */
  losses(which: 'total' | 'unreported'): OutboxLosses {
    const rows = this.lostAllStmt.all() as { class: MessageClass; total: number; unreported: number; firstSeq: number | null; lastSeq: number | null }[];
    const out: OutboxLosses = { byClass: {}, total: 0, firstSeq: null, lastSeq: null };
    for (const r of rows) {
      const n = r[which];
      if (!n) continue;
      out.byClass[r.class] = n;
      out.total += n;
      if (which === 'unreported') {
        if (r.firstSeq !== null && (out.firstSeq === null || r.firstSeq < out.firstSeq)) out.firstSeq = r.firstSeq;
        if (r.lastSeq !== null && (out.lastSeq === null || r.lastSeq > out.lastSeq)) out.lastSeq = r.lastSeq;
      }
    }
    return out;
  }

  /** Unreported losses, cleared in the same transaction; null when there are none. */
  takeUnreportedLosses(): OutboxLosses | null {
    return this.takeLossesTx();
  }

  /** Deletes confirmed messages created before `before`. Waiting ones are never pruned. */
  prune(before: number): number {
    return this.pruneStmt.run(this.watermark(), before).changes;
  }

  /** Runs `fn` in one transaction of this database (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
