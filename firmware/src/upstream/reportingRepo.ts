// Repository of what the box reports on its own (migration 006): open condition episodes,
// the day's running counters and the kept daily statistics. Statements prepared once.
import type { Db } from '../store/db.js';
import type { OpenEpisode } from './episodes.js';
import type { DailyStats } from './dailyStats.js';

interface EpisodeRow { id: string; failed_at: number; detail: string; good_since: number | null }

export class ReportingRepo {
  private readonly episodesStmt;
  private readonly clearEpisodesStmt;
  private readonly putEpisodeStmt;
  private readonly addCounterStmt;
  private readonly countersStmt;
  private readonly putStatsStmt;
  private readonly getStatsStmt;
  private readonly rangeStatsStmt;
  private readonly pruneCountersStmt;
  private readonly sumPrefixStmt;
  private readonly pruneStatsStmt;
  private readonly saveEpisodesTx;

  constructor(db: Db) {
    this.episodesStmt = db.prepare<[], EpisodeRow>('SELECT id, failed_at, detail, good_since FROM condition_episodes ORDER BY id');
    this.clearEpisodesStmt = db.prepare('DELETE FROM condition_episodes');
    this.putEpisodeStmt = db.prepare('INSERT INTO condition_episodes (id, failed_at, detail, good_since) VALUES (?, ?, ?, ?)');
    this.addCounterStmt = db.prepare(`INSERT INTO stats_counters (day, name, value) VALUES (?, ?, ?)
      ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value`);
    this.countersStmt = db.prepare<[string], { name: string; value: number }>('SELECT name, value FROM stats_counters WHERE day = ?');
    this.putStatsStmt = db.prepare(`INSERT INTO daily_stats (day, from_ms, to_ms, computed_at, body, seq) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (day) DO UPDATE SET from_ms = excluded.from_ms, to_ms = excluded.to_ms, computed_at = excluded.computed_at, body = excluded.body, seq = excluded.seq`);
    this.getStatsStmt = db.prepare<[string], { body: string }>('SELECT body FROM daily_stats WHERE day = ?');
    this.rangeStatsStmt = db.prepare<[string, string], { body: string }>('SELECT body FROM daily_stats WHERE day >= ? AND day <= ? ORDER BY day');
    this.pruneCountersStmt = db.prepare('DELETE FROM stats_counters WHERE day < ?');
    this.sumPrefixStmt = db.prepare<[string, string, string, string, number], { name: string; value: number }>(`SELECT name, sum(value) AS value FROM stats_counters
      WHERE day >= ? AND day <= ? AND substr(name, 1, length(?)) = ? GROUP BY name ORDER BY value DESC LIMIT ?`);
    this.pruneStatsStmt = db.prepare('DELETE FROM daily_stats WHERE day < ?');
    this.saveEpisodesTx = db.transaction((list: readonly OpenEpisode[]) => {
      this.clearEpisodesStmt.run();
      for (const e of list) this.putEpisodeStmt.run(e.id, e.failedAt, e.detail.slice(0, 300), e.goodSince);
    });
  }

  episodes(): OpenEpisode[] {
    return this.episodesStmt.all().map((r) => ({ id: r.id, failedAt: r.failed_at, detail: r.detail, goodSince: r.good_since }));
  }

  /** Replaces the stored open episodes with `list` (one transaction). */
  saveEpisodes(list: readonly OpenEpisode[]): void {
    this.saveEpisodesTx(list);
  }

  /** Adds to the day's counters (upsert, one statement each; call inside a transaction for many). */
  addCounters(day: string, deltas: Readonly<Record<string, number>>): void {
    for (const [name, v] of Object.entries(deltas)) if (v) this.addCounterStmt.run(day, name, Math.round(v));
  }

  counters(day: string): Record<string, number> {
    return Object.fromEntries(this.countersStmt.all(day).map((r) => [r.name, r.value]));
  }

  putStats(s: DailyStats, computedAt: number, seq: number | null): void {
    this.putStatsStmt.run(s.day, s.from, s.to, computedAt, JSON.stringify(s), seq);
  }

  stats(day: string): DailyStats | undefined {
    const r = this.getStatsStmt.get(day);
    return r ? (JSON.parse(r.body) as DailyStats) : undefined;
  }

  /** Kept days from `from` to `to` (YYYY-MM-DD, inclusive): the monthly report's input. */
  statsRange(from: string, to: string): DailyStats[] {
    return this.rangeStatsStmt.all(from, to).map((r) => JSON.parse(r.body) as DailyStats);
  }

  /** Counters whose name starts with `prefix`, summed over days `from`..`to` (inclusive), largest first. */
  sumCounters(from: string, to: string, prefix: string, limit = 1000): Array<{ name: string; value: number }> {
    return this.sumPrefixStmt.all(from, to, prefix, prefix, limit);
  }

  /** Drops counters of days before `countersBefore` and statistics before `statsBefore` (day keys). */
  prune(countersBefore: string, statsBefore: string): { counters: number; stats: number } {
    return { counters: this.pruneCountersStmt.run(countersBefore).changes, stats: this.pruneStatsStmt.run(statsBefore).changes };
  }
}
