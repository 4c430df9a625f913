// Repository of technician mutes (see alerts/mutes.ts for matching). The active list is
// cached in memory because the pipeline consults it for every finding.
import { MuteSchema, type Mute } from './mutes.js';
import type { Db } from '../store/db.js';

interface Row { id: number; device: string | null; remote: string | null; kind: string | null; until: number | null; reason: string }

export type NewMute = Omit<Mute, 'id'>;

export class MutesRepo {
  private readonly insertStmt;
  private readonly allStmt;
  private readonly delStmt;
  private readonly pruneStmt;
  private cache: Mute[] | null = null;

  constructor(db: Db, private readonly now: () => number) {
    this.insertStmt = db.prepare(`INSERT INTO mutes (device, remote, kind, until, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)`);
    this.allStmt = db.prepare<[], Row>(`SELECT id, device, remote, kind, until, reason FROM mutes ORDER BY id`);
    this.delStmt = db.prepare(`DELETE FROM mutes WHERE id = ?`);
    this.pruneStmt = db.prepare(`DELETE FROM mutes WHERE until IS NOT NULL AND until <= ?`);
  }

  /** Stores a mute (validated by MuteSchema; throws ZodError on a bad one); returns it with its id. */
  add(m: NewMute): Mute {
    const v = MuteSchema.parse({ ...m, id: 0 });
    const r = this.insertStmt.run(v.device ?? null, v.remote ?? null, v.kind ?? null, v.until, v.reason, this.now());
    this.cache = null;
    return { ...v, id: Number(r.lastInsertRowid) };
  }

  /** Every stored mute, expired ones included until pruned. */
  list(): Mute[] {
    this.cache ??= this.allStmt.all().map((r) => ({
      id: r.id, device: r.device ?? undefined, remote: r.remote ?? undefined, kind: r.kind ?? undefined, until: r.until, reason: r.reason,
    }));
    return this.cache;
  }

  /** Removes a mute; false when there was none with that id. */
  delete(id: number): boolean {
    this.cache = null;
    return this.delStmt.run(id).changes > 0;
  }

  /** Removes expired mutes; returns how many. */
  prune(): number {
    this.cache = null;
    return this.pruneStmt.run(this.now()).changes;
  }
}
