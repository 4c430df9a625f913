import test from 'ava';
import { readFileSync } from 'node:fs';
import { checkFeedText } from '../../../firmware/src/blocklist/checkFile.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/feeds/${f}`, import.meta.url), 'utf8');

test('the hostile fixture: every rejected kind is counted by reason, nothing silently', (t) => {
  const s = checkFeedText(fixture('plain-hostile.txt'), 'plain');
  t.is(s.accepted + s.rejectedTotal, s.dataLines);
  for (const r of ['leading_zero', 'too_broad', 'private', 'loopback', 'cgnat', 'zone_id', 'host_bits']) t.true((s.rejected[r] ?? 0) > 0, r);
});

test('a clean Spamhaus DROP file would load', (t) => {
  const s = checkFeedText(fixture('spamhaus-drop.txt'), 'spamhaus-drop');
  t.true(s.accepted > 0);
  t.is(s.fault === null, s.healthy);
});

test('csv needs its column and counts a missing one', (t) => {
  const s = checkFeedText('first_seen,dst_ip\n2024-01-01,192.0.2.1\n2024-01-01,\n', 'csv', 'dst_ip');
  t.is(s.accepted, 1);
  t.is(s.rejected.csv_column_missing, 1);
});
