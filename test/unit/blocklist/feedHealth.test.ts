import test from 'ava';
import { judgeFeedUpdate, type FeedHealthInput } from '../../../firmware/src/blocklist/feedHealth.js';

const policy = { minEntries: 10, maxShrinkRatio: 0.5, maxRejectRatio: 0.1 };
const good: FeedHealthInput = { dataLines: 100, parseRejected: 2, usable: 95, lastGoodCount: 100 };
const reason = (over: Partial<FeedHealthInput>) => {
  const h = judgeFeedUpdate({ ...good, ...over }, policy);
  return h.ok ? 'ok' : h.reason;
};

test('healthy update passes, first load has no shrink check', (t) => {
  t.is(reason({}), 'ok');
  t.is(reason({ lastGoodCount: null, usable: 11 }), 'ok');
});

test('each fault is reported by reason', (t) => {
  t.is(reason({ sha256: { expected: 'a'.repeat(64), actual: 'b'.repeat(64) } }), 'checksum_mismatch');
  t.is(reason({ sha256: { expected: 'A'.repeat(64), actual: 'a'.repeat(64) } }), 'ok');
  t.is(reason({ dataLines: 0, usable: 0, parseRejected: 0 }), 'empty');
  t.is(reason({ usable: 0 }), 'empty', 'a feed the guard emptied (e.g. only 10.0.0.0/8) is a fault');
  t.is(reason({ parseRejected: 11 }), 'parse_failure_rate');
  t.is(reason({ parseRejected: 10 }), 'ok');
  t.is(reason({ declaredRecords: 120 }), 'truncated');
  t.is(reason({ usable: 9, lastGoodCount: null }), 'below_minimum');
  t.is(reason({ usable: 49 }), 'shrunk');
  t.is(reason({ usable: 50 }), 'ok');
});

test('checksum is checked first, then emptiness', (t) => {
  const h = judgeFeedUpdate({ ...good, usable: 0, sha256: { expected: 'a'.repeat(64), actual: 'c'.repeat(64) } }, policy);
  t.false(h.ok);
  if (!h.ok) t.is(h.reason, 'checksum_mismatch');
});
