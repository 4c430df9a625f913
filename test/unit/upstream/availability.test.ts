import test from 'ava';
import { AvailabilityAccumulator } from '../../../firmware/src/upstream/availability.js';

const H = 3_600_000;
const D = 24 * H;
const dayOf = (ms: number) => { const n = Math.floor(ms / D); return { key: `d${n}`, start: n * D, end: (n + 1) * D }; };

test('up and down time per day, split at midnight', (t) => {
  const a = new AvailabilityAccumulator(dayOf);
  a.observe(true, 20 * H); // utmd starts at 20:00 of day 0, link up
  a.observe(false, 23 * H); // down for 2 h across midnight
  a.observe(true, D + H);
  const out = a.take(D + 5 * H);
  t.deepEqual(Object.fromEntries(out), { d0: { upMs: 3 * H, observedMs: 4 * H }, d1: { upMs: 4 * H, observedMs: 5 * H } });
  t.deepEqual(a.take(D + 5 * H).size, 0, 'taken time is not counted twice');
  t.deepEqual(Object.fromEntries(a.take(D + 6 * H)), { d1: { upMs: H, observedMs: H } }, 'the state goes on after a take');
});

test('time before the first observation and a clock step back count nothing', (t) => {
  const a = new AvailabilityAccumulator(dayOf);
  t.is(a.take(5 * H).size, 0);
  a.observe(false, 5 * H);
  a.observe(true, 4 * H); // older: ignored
  t.false(a.up);
  t.deepEqual(Object.fromEntries(a.take(6 * H)), { d0: { upMs: 0, observedMs: H } });
});
