// Repository of staff "対応済み" marks (migration 007): statements prepared once. The marks
// decide what the office page still shows as open (webui/src/office/model.ts) and what the
// monthly report says was done about each incident.
import { z } from 'zod';
import type { Db } from './db.js';

export const NOTE_MAX = 500;

/** One mark as staff send it (the page's form): validated before it reaches the store. */
export const ACK_IDS_MAX = 50;
const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const AckRequestSchema = z.strictObject({
  target: z.enum(['alert', 'incident']).describe('what is marked as handled'),
  id: z.union([Id, z.string().regex(/^\d{1,15}(,\d{1,15}){0,49}$/).transform((s) => s.split(',').map(Number))])
    .transform((v) => (Array.isArray(v) ? v : [v])).pipe(z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(ACK_IDS_MAX))
    .describe('alert or incident id, or several alert ids separated by commas (a group card)'),
  note: z.string().max(NOTE_MAX).optional().transform((s) => (s?.trim() ? s.trim() : null)).describe('optional note from staff'),
});
export type AckRequest = z.infer<typeof AckRequestSchema>;

export interface StoredAck {
  target: 'alert' | 'incident';
  id: number;
  at: number;
  actor: string;
  note: string | null;
}

interface Row { target: 'alert' | 'incident'; target_id: number; at: number; actor: string; note: string | null }

const toAck = (r: Row): StoredAck => ({ target: r.target, id: r.target_id, at: r.at, actor: r.actor, note: r.note });

export class AcksRepo {
  private readonly putStmt;
  private readonly sinceStmt;
  private readonly betweenStmt;
  private readonly delStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare(`INSERT INTO acknowledgements (target, target_id, at, actor, note) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (target, target_id) DO UPDATE SET at = excluded.at, actor = excluded.actor, note = excluded.note`);
    this.sinceStmt = db.prepare<[number], Row>('SELECT * FROM acknowledgements WHERE at >= ? ORDER BY at');
    this.betweenStmt = db.prepare<[number, number], Row>('SELECT * FROM acknowledgements WHERE at >= ? AND at < ? ORDER BY at');
    this.delStmt = db.prepare('DELETE FROM acknowledgements WHERE target = ? AND target_id = ?');
    this.pruneStmt = db.prepare('DELETE FROM acknowledgements WHERE at < ?');
  }

  /** Stores (or replaces) a mark. */
  put(a: StoredAck): void {
    this.putStmt.run(a.target, a.id, a.at, a.actor.slice(0, 64), a.note === null ? null : a.note.slice(0, NOTE_MAX));
  }

  /** Marks made at or after `since` (ms). */
  since(since: number): StoredAck[] {
    return this.sinceStmt.all(since).map(toAck);
  }

  /** Marks made in [from, to) (the monthly report). */
  between(from: number, to: number): StoredAck[] {
    return this.betweenStmt.all(from, to).map(toAck);
  }

  /** Takes a mark back; false when there was none. */
  remove(target: 'alert' | 'incident', id: number): boolean {
    return this.delStmt.run(target, id).changes > 0;
  }

  /** Drops marks made before `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
