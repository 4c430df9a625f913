// SQLite repositories of the blocklist feature (tables from migration 002): per-feed
// status, manual blocks with their expiry, and allowlist additions. Statements are
// prepared once in the constructors.
import type { Db } from '../store/db.js';

export interface Validators {
  /** Per URL key (v4/v6): ETag, Last-Modified and body digest of the last accepted download. */
  [urlKey: string]: { etag?: string | undefined; lastModified?: string | undefined; sha256?: string | undefined };
}

export interface FeedStatusRow {
  feedId: string;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastChangeAt: number | null;
  /** Merged ranges loaded from this feed. */
  entries: number;
  /** Accepted entries before merging (the shrink check compares this). */
  usable: number;
  dataLines: number;
  /** Rejected counts by reason of the last download (parser, guard and carved). */
  rejected: Record<string, number>;
  lastError: string | null;
  lastErrorAt: number | null;
  consecutiveFailures: number;
  validators: Validators;
}

interface RawStatus {
  feed_id: string; last_attempt_at: number | null; last_success_at: number | null; last_change_at: number | null;
  entries: number; usable: number; data_lines: number; rejected: string; last_error: string | null;
  last_error_at: number | null; consecutive_failures: number; validators: string;
}

/** An empty row for a feed never tried. */
export function newStatus(feedId: string): FeedStatusRow {
  return {
    feedId, lastAttemptAt: null, lastSuccessAt: null, lastChangeAt: null, entries: 0, usable: 0, dataLines: 0,
    rejected: {}, lastError: null, lastErrorAt: null, consecutiveFailures: 0, validators: {},
  };
}

/** What the feature reads and writes of the feed status rows. */
export interface FeedStatusStore {
  get(feedId: string): FeedStatusRow;
  put(s: FeedStatusRow): void;
}

export class FeedStatusRepo implements FeedStatusStore {
  private readonly getStmt;
  private readonly allStmt;
  private readonly putStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], RawStatus>('SELECT * FROM feed_status WHERE feed_id = ?');
    this.allStmt = db.prepare<[], RawStatus>('SELECT * FROM feed_status ORDER BY feed_id');
    this.putStmt = db.prepare(`INSERT OR REPLACE INTO feed_status
      (feed_id, last_attempt_at, last_success_at, last_change_at, entries, usable, data_lines, rejected, last_error, last_error_at, consecutive_failures, validators)
      VALUES (@feed_id, @last_attempt_at, @last_success_at, @last_change_at, @entries, @usable, @data_lines, @rejected, @last_error, @last_error_at, @consecutive_failures, @validators)`);
  }

  get(feedId: string): FeedStatusRow {
    const r = this.getStmt.get(feedId);
    return r ? fromRaw(r) : newStatus(feedId);
  }

  all(): FeedStatusRow[] {
    return this.allStmt.all().map(fromRaw);
  }

  put(s: FeedStatusRow): void {
    this.putStmt.run({
      feed_id: s.feedId, last_attempt_at: s.lastAttemptAt, last_success_at: s.lastSuccessAt, last_change_at: s.lastChangeAt,
      entries: s.entries, usable: s.usable, data_lines: s.dataLines, rejected: JSON.stringify(s.rejected),
      last_error: s.lastError, last_error_at: s.lastErrorAt, consecutive_failures: s.consecutiveFailures,
      validators: JSON.stringify(s.validators),
    });
  }
}

function fromRaw(r: RawStatus): FeedStatusRow {
  return {
    feedId: r.feed_id, lastAttemptAt: r.last_attempt_at, lastSuccessAt: r.last_success_at, lastChangeAt: r.last_change_at,
    entries: r.entries, usable: r.usable, dataLines: r.data_lines, rejected: JSON.parse(r.rejected) as Record<string, number>,
    lastError: r.last_error, lastErrorAt: r.last_error_at, consecutiveFailures: r.consecutive_failures,
    validators: JSON.parse(r.validators) as Validators,
  };
}

export interface ManualBlock { entry: string; addedAt: number; expiresAt: number; reason: string }

export class ManualBlocksRepo {
  private readonly putStmt;
  private readonly delStmt;
  private readonly liveStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare('INSERT OR REPLACE INTO manual_blocks (entry, added_at, expires_at, reason) VALUES (?, ?, ?, ?)');
    this.delStmt = db.prepare('DELETE FROM manual_blocks WHERE entry = ?');
    this.liveStmt = db.prepare<[number], { entry: string; added_at: number; expires_at: number; reason: string }>(
      'SELECT * FROM manual_blocks WHERE expires_at > ? ORDER BY expires_at, entry');
    this.purgeStmt = db.prepare('DELETE FROM manual_blocks WHERE expires_at <= ?');
  }

  put(b: ManualBlock): void {
    this.putStmt.run(b.entry, b.addedAt, b.expiresAt, b.reason);
  }

  /** Removes one block; false if there was none. */
  delete(entry: string): boolean {
    return this.delStmt.run(entry).changes > 0;
  }

  /** Blocks not yet expired at `now`; expired rows are deleted on the way. */
  live(now: number): ManualBlock[] {
    this.purgeStmt.run(now);
    return this.liveStmt.all(now).map((r) => ({ entry: r.entry, addedAt: r.added_at, expiresAt: r.expires_at, reason: r.reason }));
  }
}

export interface AllowEntry { entry: string; addedAt: number; note: string }

export class AllowRepo {
  private readonly putStmt;
  private readonly delStmt;
  private readonly allStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare('INSERT OR REPLACE INTO allow_entries (entry, added_at, note) VALUES (?, ?, ?)');
    this.delStmt = db.prepare('DELETE FROM allow_entries WHERE entry = ?');
    this.allStmt = db.prepare<[], { entry: string; added_at: number; note: string }>('SELECT * FROM allow_entries ORDER BY entry');
  }

  put(a: AllowEntry): void {
    this.putStmt.run(a.entry, a.addedAt, a.note);
  }

  delete(entry: string): boolean {
    return this.delStmt.run(entry).changes > 0;
  }

  all(): AllowEntry[] {
    return this.allStmt.all().map((r) => ({ entry: r.entry, addedAt: r.added_at, note: r.note }));
  }
}

/** The blocklist feature's repositories (its Feature.repositories()). */
export interface BlocklistRepos {
  status: FeedStatusRepo;
  manual: ManualBlocksRepo;
  allow: AllowRepo;
}

/** Feed status rows over a store that may refuse writes (a full disk): a row it could not take
 *  is held in memory, served from there, and written with the next put that works. A refresh
 *  must not stop halfway because its bookkeeping could not be written (the kernel sets and the
 *  feature's ranges would part). `failed(e)` counts a storage error and says it was one; any
 *  other error is thrown. */
export class HeldFeedStatus implements FeedStatusStore {
  private readonly held = new Map<string, FeedStatusRow>();

  constructor(private readonly repo: FeedStatusStore, private readonly failed: (e: unknown) => boolean) {}

  /** Rows waiting for the store. */
  get waiting(): number {
    return this.held.size;
  }

  get(feedId: string): FeedStatusRow {
    const h = this.held.get(feedId);
    return h ? structuredClone(h) : this.repo.get(feedId);
  }

  put(s: FeedStatusRow): void {
    this.held.set(s.feedId, structuredClone(s));
    try {
      for (const [id, r] of this.held) {
        this.repo.put(r);
        this.held.delete(id);
      }
    } catch (e) {
      if (!this.failed(e)) throw e;
    }
  }
}

/** Prepares the blocklist feature's statements on the open store. */
export function blocklistRepos(db: Db): BlocklistRepos {
  return { status: new FeedStatusRepo(db), manual: new ManualBlocksRepo(db), allow: new AllowRepo(db) };
}
