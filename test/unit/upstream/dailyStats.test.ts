import test from 'ava';
import { computeDailyStats, localDay, statsMessage, STATS_SD_ID, type StatsInput } from '../../../firmware/src/upstream/dailyStats.js';
import { statsText } from '../../../webui/src/i18n/upstream.js';

const H = 3_600_000;
const day = { key: '2026-12-01', start: Date.UTC(2026, 11, 1), end: Date.UTC(2026, 11, 2) };
const s = day.start;
const input: StatsInput = {
  day,
  alerts: [
    { kind: 'blocklist_hit', severity: 'danger', firstSeen: s + H },
    { kind: 'blocklist_hit', severity: 'danger', firstSeen: s + 2 * H },
    { kind: 'blocklist_hit', severity: 'warning', firstSeen: s + 3 * H },
    { kind: 'new_device', severity: 'info', firstSeen: s + 4 * H },
    { kind: 'beacon', severity: 'danger', firstSeen: s - 1 }, // the day before
    { kind: 'beacon', severity: 'danger', firstSeen: day.end }, // the day after
  ],
  blockedByCategory: { malware: 12, c2: 3, local: 1, bogus: -4 },
  devices: [
    { firstSeen: s - 10 * 24 * H, lastSeen: s + H, status: 'approved' }, // seen
    { firstSeen: s + 5 * H, lastSeen: s + 6 * H, status: 'new' }, // new and seen
    { firstSeen: s + 7 * H, lastSeen: day.end + H, status: 'quarantined' }, // new, seen, quarantined now
    { firstSeen: s - 10 * 24 * H, lastSeen: s - 1, status: 'quarantined' }, // not seen that day
    { firstSeen: day.end, lastSeen: day.end + H, status: 'new' }, // the next day
  ],
  audit: [
    { at: s + 8 * H, action: 'quarantine', mac: '02:00:00:00:00:03' },
    { at: s + 9 * H, action: 'quarantine', mac: '02:00:00:00:00:03' }, // same device again
    { at: s + 9 * H, action: 'approve', mac: '02:00:00:00:00:02' },
    { at: s - 1, action: 'quarantine', mac: '02:00:00:00:00:04' },
  ],
  upstream: { upMs: 23 * H, observedMs: 24 * H },
};

test('the day\'s statistics: alerts by kind and severity, blocked by category, devices, availability', (t) => {
  const r = computeDailyStats(input);
  t.deepEqual(r, {
    day: '2026-12-01', from: day.start, to: day.end,
    alerts: {
      total: 4, bySeverity: { danger: 2, warning: 1, info: 1 },
      byKind: { blocklist_hit: { danger: 2, warning: 1, info: 0 }, new_device: { danger: 0, warning: 0, info: 1 } },
    },
    blocked: { total: 16, byCategory: { c2: 3, local: 1, malware: 12 } },
    devices: { seen: 3, new: 2, quarantined: 1, quarantinedNow: 2 },
    upstream: { upMs: 23 * H, observedMs: 24 * H, availability: 23 / 24 },
  });
});

test('a day utmd never watched has no availability (not 0 %, not 100 %); impossible inputs are clamped', (t) => {
  t.is(computeDailyStats({ ...input, upstream: { upMs: 0, observedMs: 0 } }).upstream.availability, null);
  const r = computeDailyStats({ ...input, upstream: { upMs: 30 * H, observedMs: 48 * H } });
  t.deepEqual(r.upstream, { upMs: 24 * H, observedMs: 24 * H, availability: 1 });
});

test('an empty day is all zeros', (t) => {
  const r = computeDailyStats({ day, alerts: [], blockedByCategory: {}, devices: [], audit: [], upstream: { upMs: 0, observedMs: 0 } });
  t.is(r.alerts.total, 0);
  t.deepEqual(r.blocked, { total: 0, byCategory: {} });
  t.deepEqual(r.devices, { seen: 0, new: 0, quarantined: 0, quarantinedNow: 0 });
});

test('stats message: class stats, compact SD the centre can parse, plain text in both languages', (t) => {
  const r = computeDailyStats(input);
  const m = statsMessage(r, day.end + 5 * 60_000, statsText(r, 'ja'));
  t.is(m.class, 'stats');
  t.is(m.msgId, 'stats');
  t.is(m.sd[0]!.id, STATS_SD_ID);
  t.like(m.sd[0]!.params, {
    day: '2026-12-01', alerts: 4, alertsDanger: 2, alertKinds: 'blocklist_hit:2/1/0,new_device:0/0/1', blocked: 16, blockedBy: 'c2:3,local:1,malware:12',
    devicesSeen: 3, devicesNew: 2, devicesQuarantined: 1, upstreamUpS: 23 * 3600, upstreamAvailability: '0.9583',
  });
  t.is(m.text, '2026-12-01の集計: お知らせ4件（危険2件）、止めた通信16回、見かけた機器3台（新しい機器2台、隔離1台）、監視センターとの接続95.83%');
  t.true(statsText(r, 'en').startsWith('Statistics for 2026-12-01: 4 alert(s) (2 dangerous), 16 blocked attempt(s)'));
});

test('localDay is the box-local calendar day around a moment', (t) => {
  const at = Date.UTC(2026, 11, 1, 13, 0, 0);
  const d = localDay(at);
  t.true(d.start <= at && at < d.end);
  t.true(d.end - d.start >= 23 * H && d.end - d.start <= 25 * H);
  t.regex(d.key, /^\d{4}-\d{2}-\d{2}$/);
  t.deepEqual(localDay(d.end), localDay(d.end + H), 'the next day starts at end');
  t.not(localDay(d.end).key, d.key);
});
