// Repository of the upstream outbox: a message stays here until it has been sent.
import type { Db } from './db.js';

export interface OutboxItem {
  id: number;
  alertId: number | null;
  payload: Buffer;
  attempts: number;
}

export class OutboxRepo {
  private readonly addStmt;
  private readonly dueStmt;
  private readonly sentStmt;
  private readonly failStmt;
  private readonly pendingStmt;
  private readonly oldestStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.addStmt = db.prepare(`INSERT INTO outbox (alert_id, payload, created_at, next_attempt) VALUES (?, ?, ?, ?)`);
    this.dueStmt = db.prepare(`SELECT id, alert_id AS alertId, payload, attempts FROM outbox
      WHERE sent_at IS NULL AND next_attempt <= ? ORDER BY id LIMIT ?`);
    this.sentStmt = db.prepare(`UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`);
    this.failStmt = db.prepare(`UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?`);
    this.pendingStmt = db.prepare(`SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL`);
    this.oldestStmt = db.prepare(`SELECT min(created_at) AS t FROM outbox WHERE sent_at IS NULL`);
    this.pruneStmt = db.prepare(`DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?`);
  }

  add(alertId: number | null, payload: Buffer, now: number): number {
    return Number(this.addStmt.run(alertId, payload, now, now).lastInsertRowid);
  }

  due(now: number, limit: number): OutboxItem[] {
    return this.dueStmt.all(now, limit) as OutboxItem[];
  }

  markSent(id: number, now: number): void {
    this.sentStmt.run(now, id);
  }

  markFailed(id: number, nextAttempt: number, error: string): void {
    this.failStmt.run(nextAttempt, error.slice(0, 200), id);
  }

  pending(): { count: number; oldest: number | null } {
    return { count: (this.pendingStmt.get() as { n: number }).n, oldest: (this.oldestStmt.get() as { t: number | null }).t };
  }

  /** Deletes messages sent before `before`. Unsent ones are never pruned. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
