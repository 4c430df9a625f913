// The monthly report's figures and advice from plain facts: sums over the daily statistics,
// the weather, and three recommendations, most pressing first.
import test from 'ava';
import type { MonthlyReportFacts } from '../../../../webui/src/report/facts.js';
import { buildMonthlyReport, daysInMonth } from '../../../../webui/src/report/model.js';
import { REPORT_WORDS } from '../../../../webui/src/i18n/report.js';
import { weekDays, weekFacts } from '../../../../webui/src/office/week.js';
import { makeDailyStats } from '../../../helpers/office.js';

const facts = (over: Partial<MonthlyReportFacts> = {}): MonthlyReportFacts => ({
  month: '2026-11', complete: true, source: 'snapshot', computedAt: 0, days: makeDailyStats(25).filter((d) => d.day.startsWith('2026-11')),
  blockedByDevice: [], incidents: [], devices: { new: [], eol: [], quarantined: [] }, ...over,
});
const dev = (mac: string, status = 'approved') => ({ mac, label: null, hostname: null, deviceType: 'pc', firstSeen: 0, status });

test('sums equal the daily statistics; the daily chart has every day of the month', (t) => {
  const f = facts();
  const r = buildMonthlyReport(f);
  t.is(r.blocked.total, f.days.reduce((n, d) => n + d.blocked.total, 0));
  t.is(r.blocked.byCategory.reduce((n, c) => n + c.n, 0), r.blocked.total);
  t.is(r.alerts.total, f.days.reduce((n, d) => n + d.alerts.total, 0));
  t.is(r.daily.length, 30);
  t.is(r.daily.filter((d) => d.blocked === null).length, 30 - f.days.length);
  t.is(daysInMonth('2028-02'), 29);
  t.is(daysInMonth('nonsense'), 0);
});

test('the weather: rain only with a sign of infection; sun when nothing happened', (t) => {
  const inc = (kinds: string[]) => ({ id: 1, openedAt: 0, lastAt: 0, kinds, severity: 'danger' as const, device: {}, ack: null, actions: [] });
  t.is(buildMonthlyReport(facts({ incidents: [inc(['beacon', 'upload'])] })).weather, 'rainy');
  t.is(buildMonthlyReport(facts({ incidents: [inc(['blocklist_hit'])] })).weather, 'cloudy');
  t.is(buildMonthlyReport(facts({ days: [] })).weather, 'sunny');
});

test('three recommendations, most pressing first: old devices, open incidents, waiting devices', (t) => {
  const open = { id: 1, openedAt: 0, lastAt: 0, kinds: ['scan'], severity: 'warning' as const, device: {}, ack: null, actions: [] };
  const r = buildMonthlyReport(facts({ incidents: [open], devices: { new: [dev('a', 'new')], eol: [dev('b'), dev('c')], quarantined: [] } }));
  t.deepEqual(r.recommendations.map((x) => x.key), ['replaceEol', 'handleOpen', 'answerNew']);
  const calm = buildMonthlyReport(facts({ days: [] }));
  t.deepEqual(calm.recommendations.map((x) => x.key), ['updates', 'backups', 'passwords']);
  const handled = buildMonthlyReport(facts({ incidents: [{ ...open, ack: { target: 'incident', id: 1, at: 0, actor: 'a', note: null } }] }));
  t.false(handled.recommendations.some((x) => x.key === 'handleOpen'));
});

test('the week: seven days ending with the last one, missing days marked, sums over kept days', (t) => {
  t.deepEqual(weekDays('2026-03-02'), ['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  const stats = makeDailyStats(5);
  const last = stats.at(-1)?.day ?? '';
  const w = weekFacts(stats, last);
  t.is(w.counted, 5);
  t.is(w.days.filter((d) => d.blocked === null).length, 2);
  t.is(w.blocked, stats.reduce((n, s) => n + s.blocked.total, 0));
  t.is(weekFacts([], 'bad').days.length, 0);
});

test('a month in progress counts today from the running counters and its footnote says "up to now"', (t) => {
  const r = buildMonthlyReport(facts({ complete: false, source: 'live', pendingDays: [{ day: '2026-11-26', blocked: { total: 2, byCategory: { malware: 2 } } }] }));
  const sent = facts().days.reduce((n, d) => n + d.blocked.total, 0);
  t.is(r.blocked.total, sent + 2);
  t.is(r.blocked.byCategory.reduce((n, c) => n + c.n, 0), r.blocked.total);
  t.is(r.daysPending, 1);
  const ja = REPORT_WORDS.ja.source(r.source, r.complete, r.daysCounted, r.daysInMonth, '11/26 15:00', r.daysPending);
  t.regex(ja, /11\/26 15:00 時点までの数です/);
  t.regex(ja, /1日分（今日の分など）は、まだ監視センターへ送っていない/);
  t.regex(REPORT_WORDS.en.source(r.source, r.complete, 1, 30, 'now', 1), /figures up to now\. Made from 1 day of records .*One of these days .* has not been sent .* is counted up to this moment\.$/);
  t.notRegex(REPORT_WORDS.ja.source('snapshot', true, 30, 30, 'x', 0), /まだ/, 'a stored month says nothing is pending');
});
