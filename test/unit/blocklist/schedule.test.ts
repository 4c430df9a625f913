import test from 'ava';
import fc from 'fast-check';
import { backoffMs, feedJitterMs, retryAt, shouldAttempt } from '../../../firmware/src/blocklist/schedule.js';

test('jitter is deterministic per box and feed, and spreads boxes', (t) => {
  t.is(feedJitterMs('box-1', 'feodo-c2', 600_000), feedJitterMs('box-1', 'feodo-c2', 600_000));
  t.not(feedJitterMs('box-1', 'feodo-c2', 600_000), feedJitterMs('box-2', 'feodo-c2', 600_000));
  t.not(feedJitterMs('box-1', 'feodo-c2', 600_000), feedJitterMs('box-1', 'spamhaus-drop', 600_000));
  // no collision by concatenation: ("ab","c") vs ("a","bc")
  t.not(feedJitterMs('ab', 'c', 1_000_000_007), feedJitterMs('a', 'bc', 1_000_000_007));
  const spread = new Set(Array.from({ length: 200 }, (_, i) => Math.floor(feedJitterMs(`box-${i}`, 'f', 600_000) / 60_000)));
  t.true(spread.size >= 8, 'two hundred boxes land in most of the ten minutes');
  t.throws(() => feedJitterMs('a', 'b', 0), { instanceOf: RangeError });
});

test('property: jitter stays in range', (t) => {
  fc.assert(fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 2 ** 31 }), (d, f, max) => {
    const j = feedJitterMs(d, f, max);
    return Number.isInteger(j) && j >= 0 && j < max;
  }));
  t.pass();
});

test('backoff doubles to a cap', (t) => {
  t.deepEqual([0, 1, 2, 3, 4].map((n) => backoffMs(n, { baseMs: 1000, capMs: 5000 })), [0, 1000, 2000, 4000, 5000]);
  t.is(backoffMs(10_000), 6 * 3_600_000);
  t.true(shouldAttempt(0, { consecutiveFailures: 0, lastAttemptAt: 0 }));
  t.false(shouldAttempt(59_999, { consecutiveFailures: 1, lastAttemptAt: 0 }));
  t.true(shouldAttempt(60_000, { consecutiveFailures: 1, lastAttemptAt: 0 }));
  t.is(retryAt(1000, 2, 7), 1000 + 120_000 + 7);
});

test('a last failed attempt timed by a clock since set back 9 h does not hold the next attempt back 9 h', (t) => {
  const boot = Date.UTC(2026, 11, 4, 11); // the clock, corrected
  const wrong = boot + 9 * 3_600_000; // the failed attempt, timed by the clock running 9 h ahead
  t.true(shouldAttempt(boot + 60_000, { consecutiveFailures: 1, lastAttemptAt: wrong }));
  t.false(shouldAttempt(wrong + 59_999, { consecutiveFailures: 1, lastAttemptAt: wrong }), 'a clock not set back keeps the backoff');
});
