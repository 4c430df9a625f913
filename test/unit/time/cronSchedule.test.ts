// The next run of a cron expression, found from Date's local fields, is node-cron's own next
// run (its task.getNextRun, which goes through Intl): for the feed catalog's expressions, the
// daily jobs', and random expressions at random times. A job scheduled every second runs, and
// stop() ends it.
import test from 'ava';
import fc from 'fast-check';
import { createTask } from 'node-cron';
import { readFileSync } from 'node:fs';
import { nextRun, numericFields, scheduleCron } from '../../../firmware/src/time/cronSchedule.js';

/** node-cron's next run after `at`, from its own time matcher (the one its runner uses). */
function oracle(expr: string, at: number): number | undefined {
  const task = createTask(expr, () => undefined);
  try {
    const m: unknown = Reflect.get(task, 'timeMatcher');
    const get: unknown = typeof m === 'object' && m !== null ? Reflect.get(m, 'getNextMatch') : undefined;
    if (typeof get !== 'function') throw new Error('node-cron has no timeMatcher.getNextMatch any more: update this oracle');
    const next: unknown = Reflect.apply(get, m, [new Date(at)]);
    return next instanceof Date ? next.getTime() : undefined;
  } finally {
    void task.destroy();
  }
}

const catalog = [...readFileSync(new URL('../../../rules/feeds.json', import.meta.url), 'utf8').matchAll(/"refresh":\s*"([^"]+)"/g)].map((m) => m[1] ?? '');

test('the catalog\'s and the daily jobs\' expressions: the same next run as node-cron', (t) => {
  t.true(catalog.length >= 3);
  const exprs = [...catalog, '17 3 * * *', '5 0 * * *', '*/15 9-17 * jan-mar mon-fri', '30 */2 * * * *', '0 0 29 2 *'];
  const times = [Date.UTC(2026, 11, 2, 6, 40, 12, 345), Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2028, 1, 28, 12), Date.UTC(2027, 5, 30, 14, 41)];
  for (const e of exprs) {
    const f = numericFields(e);
    if (!f) return t.fail(`${e} has plain fields`);
    for (const at of times) t.is(nextRun(f, at), oracle(e, at) ?? null, `${e} after ${new Date(at).toISOString()}`);
  }
});

test('random expressions at random times: the same next run as node-cron', (t) => {
  const field = (lo: number, hi: number): fc.Arbitrary<string> => fc.oneof(
    fc.constant('*'),
    fc.integer({ min: lo, max: hi }).map(String),
    fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.integer({ min: 2, max: 12 }).map((n) => `*/${n}`),
    fc.uniqueArray(fc.integer({ min: lo, max: hi }), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(',')),
  );
  const expr = fc.tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6)).map((xs) => xs.join(' '));
  const at = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 0, 1) });
  fc.assert(fc.property(expr, at, (e, when) => {
    const f = numericFields(e);
    t.truthy(f, e);
    if (f) t.is(nextRun(f, when), oracle(e, when) ?? null, `${e} after ${new Date(when).toISOString()}`);
  }), { numRuns: 150 });
});

test('node-cron\'s day tokens are left to node-cron\'s own runner', (t) => {
  t.is(numericFields('0 0 L * *'), null);
  t.truthy(numericFields('0 3 * * 7'), 'day 7 is Sunday, a plain number');
  t.throws(() => scheduleCron('61 * * * *', () => undefined));
});

test('a job every second runs, a slow one does not overlap itself, and stop() ends both', async (t) => {
  let fast = 0;
  let slowStarts = 0;
  const a = scheduleCron('* * * * * *', () => { fast++; });
  const b = scheduleCron('* * * * * *', () => { slowStarts++; return new Promise((r) => setTimeout(r, 60_000).unref()); }, { noOverlap: true });
  const deadline = Date.now() + 20_000;
  while (fast < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  a.stop();
  b.stop();
  t.true(fast >= 3, `ran ${fast} times`);
  t.is(slowStarts, 1, 'the slow run was still going: the later seconds skipped');
  const after = fast;
  await new Promise((r) => setTimeout(r, 1500));
  t.is(fast, after, 'nothing runs after stop()');
});

/** A wall clock that runs with the real one, from `start`, and can be set like NTP sets it. */
function settableClock(start: number): { now: () => number; set: (to: number) => void } {
  let offset = start - Date.now();
  return { now: () => Date.now() + offset, set: (to) => { offset = to - Date.now(); } };
}

test('the clock set back (NTP correcting a real-time clock kept in JST, 9 h ahead): the next run follows the clock, not the time armed before', async (t) => {
  // 0.8 s before 20:00 by the wrong clock: the hourly job is armed for 20:00
  const right = new Date(2026, 11, 4, 11, 0, 0, 0).getTime() - 800;
  const clock = settableClock(right + 9 * 3600_000);
  const runs: number[] = [];
  const job = scheduleCron('0 * * * *', () => { runs.push(clock.now()); }, { now: clock.now, checkMs: 50 });
  try {
    await new Promise((r) => setTimeout(r, 100));
    clock.set(right + 100); // NTP: back 9 h; 11:00 comes in 0.7 s
    const deadline = Date.now() + 20_000;
    while (runs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.is(runs.length, 1, 'ran at 11:00 by the corrected clock, not 9 h later');
    t.true(runs[0]! >= right + 800 && runs[0]! < right + 3600_000, `at 11:00, not before, not at 20:00: ${new Date(runs[0]!).toString()}`);
  } finally {
    job.stop();
  }
});

test('the clock set forward past several runs: one run at once, then the schedule from the new time', async (t) => {
  const clock = settableClock(new Date(2026, 11, 4, 10, 59, 0).getTime());
  const runs: number[] = [];
  const job = scheduleCron('0 * * * *', () => { runs.push(clock.now()); }, { now: clock.now, checkMs: 50 });
  try {
    clock.set(new Date(2026, 11, 4, 14, 30, 0).getTime()); // 11:00, 12:00, 13:00 and 14:00 passed
    const deadline = Date.now() + 20_000;
    while (runs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    t.is(runs.length, 1, 'one catch-up run, not one per hour missed');
  } finally {
    job.stop();
  }
});
