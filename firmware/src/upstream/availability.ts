// How long the link to the monitoring centre was up each day, for the daily statistics.
// Fed by status samples and transitions (connected or not, and since when); the adapter takes
// the accumulated time now and then and adds it to the day's counters in SQLite. Pure: the
// caller passes every time, and `dayOf` says which day a moment belongs to.
import type { DaySpan } from './dailyStats.js';

export interface DayAvailability {
  /** ms the link was connected (confirmed) that day. */
  upMs: number;
  /** ms utmd was watching at all that day (up or down). */
  observedMs: number;
}

export class AvailabilityAccumulator {
  private last: { at: number; up: boolean } | null = null;
  private pending = new Map<string, DayAvailability>();

  constructor(private readonly dayOf: (ms: number) => DaySpan) {}

  /** The link was `up` at `at`; the time since the previous observation counts as the previous state.
   *  An observation older than the previous one is ignored (a clock step back loses nothing). */
  observe(up: boolean, at: number): void {
    if (this.last && at < this.last.at) return;
    if (this.last) this.add(this.last.at, at, this.last.up);
    this.last = { at, up };
  }

  /** Accumulated time per day key up to `now`, emptied: the caller persists it. */
  take(now: number): Map<string, DayAvailability> {
    if (this.last) this.observe(this.last.up, now);
    const out = this.pending;
    this.pending = new Map();
    return out;
  }

  /** Whether the last observation said the link was up (null before any). */
  get up(): boolean | null {
    return this.last?.up ?? null;
  }

  private add(from: number, to: number, up: boolean): void {
    let t = from;
    while (t < to) {
      const day = this.dayOf(t);
      const end = Math.min(to, day.end);
      const cur = this.pending.get(day.key) ?? { upMs: 0, observedMs: 0 };
      cur.observedMs += end - t;
      if (up) cur.upMs += end - t;
      this.pending.set(day.key, cur);
      if (end <= t) break; // a day function that does not advance: stop rather than loop
      t = end;
    }
  }
}
