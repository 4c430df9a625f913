import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateFeed, type FeedRules } from '../../../firmware/src/blocklist/evaluate.js';
import { buildGuard, protectedRanges } from '../../../firmware/src/blocklist/guard.js';
import { formatRange } from '../../../firmware/src/net/ip.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/feeds/${name}`, import.meta.url)), 'utf8');
const drop: FeedRules = { id: 'spamhaus-drop', format: 'spamhaus-jsonl', allowHostBits: false, minEntries: 3, maxShrinkRatio: 0.5, maxRejectRatio: 0.6 };

test('Spamhaus JSONL v4 + v6: counts summed, guard applied, healthy', (t) => {
  const o = evaluateFeed(drop, { v4: { text: fixture('spamhaus-drop_v4.jsonl') }, v6: { text: fixture('spamhaus-drop_v6.jsonl') } }, buildGuard(), null);
  t.deepEqual(o.entries.map(formatRange), ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.128/25', '2001:db8:1000::/36', '2001:db8:ab00::/40']);
  t.is(o.stats.dataLines, 9 + 4);
  t.deepEqual(o.stats.parseRejected, { leading_zero: 1, bad_record: 3, bad_json: 1, zone_id: 1 });
  t.deepEqual(o.stats.guardRejected, { private: 1, too_broad: 1 });
  t.is(o.stats.declaredRecords, 13);
  t.true(o.health.ok);
});

test('a feed that suddenly lists only the LAN is a fault, nothing usable', (t) => {
  const guard = buildGuard({ protected: protectedRanges('lan', ['198.51.100.0/24']) });
  const o = evaluateFeed({ ...drop, format: 'plain' }, { v4: { text: '10.0.0.0/8\n198.51.100.0/24\n' } }, guard, 500);
  t.deepEqual(o.health, { ok: false, reason: 'empty', detail: { dataLines: 2, usable: 0 } });
  t.deepEqual(o.stats.guardRejected, { private: 1, lan: 1 });
});

test('pinned digest mismatch and shrink are faults', (t) => {
  const rules = { ...drop, format: 'plain' as const, sha256: { v4: 'a'.repeat(64) } };
  const o = evaluateFeed(rules, { v4: { text: '192.0.2.1\n192.0.2.2\n192.0.2.3\n', sha256: 'b'.repeat(64) } }, buildGuard(), null);
  t.false(o.health.ok);
  if (!o.health.ok) t.is(o.health.reason, 'checksum_mismatch');
  const s = evaluateFeed({ ...drop, format: 'plain' }, { v4: { text: '192.0.2.1\n192.0.2.2\n192.0.2.3\n' } }, buildGuard(), 10);
  t.false(s.health.ok);
  if (!s.health.ok) t.is(s.health.reason, 'shrunk');
});

test('CSV feed through the whole core', (t) => {
  const o = evaluateFeed({ id: 'sslbl-c2', format: 'csv', csv: { column: 2 }, allowHostBits: false, minEntries: 1, maxShrinkRatio: 0.9, maxRejectRatio: 0.5 },
    { v4: { text: fixture('sslbl-ipblacklist.csv') } }, buildGuard(), 3);
  t.deepEqual(o.entries.map(formatRange), ['192.0.2.44', '198.51.100.99', '2001:db8:44::1']);
  t.deepEqual(o.stats.guardRejected, { loopback: 1 });
  t.true(o.health.ok);
});
