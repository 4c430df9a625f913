// Scheduled jobs (feed refreshes, retention, daily statistics) from cron expressions, in the
// box's local time. node-cron parses and validates every expression (one grammar: the one the
// config and the feed catalog are checked with, `validate` from node-cron); the next run is
// found here from Date's local-time fields. node-cron's own runner finds it through
// Intl.DateTimeFormat, and the first one maps ~8 MB of ICU locale and time-zone data into utmd
// for good (issue 14: idle utmd ≤ 80 MB; test/bench/footprint.bench.ts). Expressions that use
// node-cron's day tokens (L, W, #), which this walker does not read, run on node-cron's own
// runner, as before. Day of month and day of week must both match, as in node-cron.
import cron, { parse } from 'node-cron';

/** The expanded fields of an expression (node-cron's `parse`), numbers only. */
export interface CronFields {
  second: readonly number[];
  minute: readonly number[];
  hour: readonly number[];
  dayOfMonth: readonly number[];
  month: readonly number[];
  dayOfWeek: readonly number[];
}

/** Enough steps for any expression that matches at all within five years (one step per
 *  month, day, hour, minute or second skipped). */
const MAX_STEPS = 500_000;

/** Pure (given the process time zone): the first whole second strictly after `afterMs` whose
 *  local fields match, or null when none does within MAX_STEPS (e.g. 30 February). */
export function nextRun(f: CronFields, afterMs: number): number | null {
  const sets = { s: new Set(f.second), mi: new Set(f.minute), h: new Set(f.hour), dom: new Set(f.dayOfMonth), mo: new Set(f.month), dow: new Set(f.dayOfWeek) };
  const d = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
  for (let i = 0; i < MAX_STEPS; i++) {
    if (!sets.mo.has(d.getMonth() + 1)) {
      d.setMonth(d.getMonth() + 1, 1);
      d.setHours(0, 0, 0, 0);
    } else if (!sets.dom.has(d.getDate()) || !sets.dow.has(d.getDay())) {
      d.setDate(d.getDate() + 1);
      d.setHours(0, 0, 0, 0);
    } else if (!sets.h.has(d.getHours())) {
      d.setHours(d.getHours() + 1, 0, 0, 0);
    } else if (!sets.mi.has(d.getMinutes())) {
      d.setMinutes(d.getMinutes() + 1, 0, 0);
    } else if (!sets.s.has(d.getSeconds())) {
      d.setSeconds(d.getSeconds() + 1, 0);
    } else {
      return d.getTime();
    }
  }
  return null;
}

/** node-cron's fields when every one is a plain number (no L, W or # token); else null. */
export function numericFields(expr: string): CronFields | null {
  const p = parse(expr);
  const numbers = (xs: (number | string)[]): number[] | null => (xs.every((x): x is number => typeof x === 'number') ? xs : null);
  const dayOfMonth = numbers(p.dayOfMonth);
  const dayOfWeek = numbers(p.dayOfWeek);
  return dayOfMonth && dayOfWeek ? { ...p, dayOfMonth, dayOfWeek } : null;
}

export interface CronJob {
  /** Cancels the schedule (a run under way finishes). */
  stop(): void;
}

/** Longest single timer (setTimeout's limit is 2^31 - 1 ms); longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How often a waiting job looks at the wall clock again: a clock set back (NTP correcting a
 *  real-time clock that ran ahead, or kept local time, 9 h ahead in Japan) would otherwise hold
 *  the next run back by as much as it went back. */
export const CLOCK_CHECK_MS = 60_000;

export interface CronOptions {
  /** A run whose promise has not settled yet makes the next one skip. */
  noOverlap?: boolean;
  /** A run that threw or rejected (default: a process warning; jobs report their own errors). */
  onError?: (e: unknown) => void;
  /** The wall clock (default Date.now; tests move it). */
  now?: () => number;
  /** How often a waiting job looks at the clock again (default CLOCK_CHECK_MS). */
  checkMs?: number;
}

/** Runs `run` at every time `expr` names (box-local). Throws node-cron's Error when `expr` is
 *  not valid. */
export function scheduleCron(expr: string, run: () => unknown, o: CronOptions = {}): CronJob {
  const fields = numericFields(expr);
  if (!fields) {
    const task = cron.schedule(expr, run, { noOverlap: o.noOverlap ?? false });
    return { stop: () => void task.stop() };
  }
  const onError = o.onError ?? ((e: unknown) => process.emitWarning(`scheduled job (${expr}) failed: ${String(e)}`));
  const now = o.now ?? Date.now;
  const checkMs = Math.min(o.checkMs ?? CLOCK_CHECK_MS, MAX_TIMER_MS);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let busy = false;
  const fire = (): void => {
    if (busy && o.noOverlap) return;
    let r: unknown;
    try {
      r = run();
    } catch (e) {
      onError(e);
      return;
    }
    if (r instanceof Promise) {
      busy = true;
      void r.catch(onError).finally(() => { busy = false; });
    }
  };
  const arm = (after: number): void => {
    const at = nextRun(fields, after);
    if (stopped || at === null) return;
    const wait = (): void => {
      if (stopped) return;
      const t = now();
      const left = at - t;
      if (left > 0) {
        // the clock went back: the next time from now comes before the one armed
        const sooner = nextRun(fields, t);
        if (sooner !== null && sooner < at) {
          arm(t);
          return;
        }
        timer = setTimeout(wait, Math.min(left, checkMs));
        return;
      }
      fire();
      arm(Math.max(at, now() - 1000));
    };
    wait();
  };
  arm(now());
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
