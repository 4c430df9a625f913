// The monthly report's facts come from the same rows as the daily statistics sent upstream:
// the per-device blocked counters sum to the category total, incidents carry staff marks and
// device decisions, and a finished month is stored once and survives the pruning of its data.
import test, { type ExecutionContext } from 'ava';
import { officePort } from '../../../firmware/src/app/officePort.js';
import { BLOCKED_DEVICE } from '../../../firmware/src/app/reporting.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { ReportingRepo } from '../../../firmware/src/upstream/reportingRepo.js';
import { buildMonthlyReport } from '../../../webui/src/report/model.js';
import { makeDailyStats } from '../../helpers/office.js';
import { makeAlert } from '../../helpers/webui.js';

const DAY = 86_400_000;

function world(nowMs: number) {
  const db = openDb(':memory:', everyMigration);
  const reporting = new ReportingRepo(db);
  const alerts = new AlertsRepo(db);
  const incidents = new IncidentsRepo(db);
  const clock = { now: nowMs };
  const port = officePort({ db, alerts, reporting, now: () => clock.now });
  return { db, reporting, alerts, incidents, clock, port };
}

test('the report of a month sums the kept daily statistics; per-device counts reconcile with the total', (t) => {
  const w = world(new Date(2026, 10, 20, 12).getTime());
  const stats = makeDailyStats(40, new Date(2026, 10, 20).getTime() + 9 * 3_600_000);
  const nov = stats.filter((s) => s.day.startsWith('2026-11'));
  for (const s of stats) w.reporting.putStats(s, s.to, null);
  for (const s of nov) {
    const macs = ['3c:22:fb:00:00:01', '3c:22:fb:00:00:02', 'none'];
    let left = s.blocked.total;
    w.reporting.addCounters(s.day, Object.fromEntries(macs.map((m, i) => {
      const n = i === macs.length - 1 ? left : Math.floor(left / 2);
      left -= n;
      return [`${BLOCKED_DEVICE}${m}`, n];
    })));
  }
  const facts = w.port.report('2026-11');
  t.truthy(facts);
  if (!facts) return;
  t.false(facts.complete);
  t.is(facts.source, 'live');
  const r = buildMonthlyReport(facts);
  const total = nov.reduce((n, s) => n + s.blocked.total, 0);
  t.is(r.blocked.total, total);
  t.is(r.blocked.byCategory.reduce((n, c) => n + c.n, 0), total);
  t.is(facts.blockedByDevice.reduce((n, d) => n + d.n, 0), total);
  t.true(facts.blockedByDevice.some((d) => d.mac === null));
  t.is(r.daysCounted, nov.length);
  t.is(r.recommendations.length, 3);
});

test('incidents carry the staff mark; a finished month is stored once and survives pruning', (t) => {
  const w = world(new Date(2026, 9, 20, 12).getTime());
  const at = new Date(2026, 9, 10, 10).getTime();
  const alertId = w.alerts.insert({ ...makeAlert({ firstSeen: at, lastSeen: at }), incidentId: null });
  const inc = w.incidents.insert({ deviceKey: 'x', device: { mac: '3c:22:fb:00:00:03', ip: '192.168.1.13' }, openedAt: at, lastAt: at + 60_000, kinds: ['beacon', 'upload'], stages: ['control', 'action'], findings: 2, baseSeverity: 'danger', severity: 'danger' });
  t.true(w.port.acknowledge({ target: 'incident', id: inc.id, at: at + DAY, actor: 'admin@192.168.1.5', note: '相談窓口の指示でパソコンを外した' }));
  t.false(w.port.acknowledge({ target: 'incident', id: 9999, at, actor: 'admin', note: null }));
  t.true(w.port.acknowledge({ target: 'alert', id: alertId, at, actor: 'admin', note: null }));
  t.is(w.port.acks(0).length, 2);
  w.clock.now = new Date(2026, 10, 2, 9).getTime();
  const snap = w.port.report('2026-10');
  t.is(snap?.source, 'snapshot');
  t.true(snap?.complete);
  t.is(snap?.incidents[0]?.ack?.note, '相談窓口の指示でパソコンを外した');
  w.incidents.prune(Number.MAX_SAFE_INTEGER);
  w.db.prepare('DELETE FROM acknowledgements').run();
  const again = w.port.report('2026-10');
  t.deepEqual(again, snap, 'the stored report does not change when its data is pruned');
  t.is(w.port.report('2027-01'), null, 'a month not yet begun has no report');
  t.is(w.port.report('2026-13'), null);
});

test('the page\'s hourly check stores last month\'s report before its data is pruned, and drops old marks', (t) => {
  const w = world(new Date(2026, 9, 20, 12).getTime());
  const at = new Date(2026, 9, 10, 10).getTime();
  w.incidents.insert({ deviceKey: 'x', device: { ip: '192.168.1.13' }, openedAt: at, lastAt: at, kinds: ['scan'], stages: ['action'], findings: 1, baseSeverity: 'warning', severity: 'warning' });
  w.port.acknowledge({ target: 'alert', id: w.alerts.insert({ ...makeAlert({ firstSeen: at, lastSeen: at }), incidentId: null }), at: at - 200 * DAY, actor: 'admin', note: null });
  w.clock.now = new Date(2026, 10, 1, 8).getTime();
  w.port.dailyStats('2026-10-25', '2026-10-31');
  t.is(w.port.acks(0).length, 0, 'a mark older than the kept window is dropped');
  w.incidents.prune(Number.MAX_SAFE_INTEGER);
  t.is(w.port.report('2026-10')?.incidents.length, 1, 'October was stored on the first look after it ended');
});

/** Sent rows for `stats` with per-device counters that sum to each row, as the box keeps them. */
function keepSent(w: ReturnType<typeof world>, stats: ReturnType<typeof makeDailyStats>, macs: string[]): void {
  for (const s of stats) {
    w.reporting.putStats(s, s.to, null);
    w.reporting.addCounters(s.day, Object.fromEntries([
      ...Object.entries(s.blocked.byCategory).map(([k, v]) => [`blocked:${k}`, v]),
      ...macs.map((m, i) => [`${BLOCKED_DEVICE}${m}`, i === 0 ? s.blocked.total : 0]),
    ]));
  }
}

const adds = (t: ExecutionContext, r: ReturnType<typeof buildMonthlyReport>, byDevice: Array<{ n: number }>, what: string): void => {
  t.is(byDevice.reduce((n, d) => n + d.n, 0), r.blocked.total, `${what}: the total is the sum by device`);
  t.is(r.blocked.byCategory.reduce((n, c) => n + c.n, 0), r.blocked.total, `${what}: the total is the sum by category`);
  t.is(r.daily.reduce((n, d) => n + (d.blocked ?? 0), 0), r.blocked.total, `${what}: the total is the sum of the days`);
};

test('a month in progress counts today up to now for every figure; a finished month is stored once its last day is sent', (t) => {
  const mac = '3c:22:fb:00:00:09';
  const w = world(new Date(2026, 10, 20, 12).getTime());
  const nov = makeDailyStats(19, new Date(2026, 10, 20).getTime() + 9 * 3_600_000).filter((s) => s.day.startsWith('2026-11'));
  keepSent(w, nov, [mac]);
  // Today: two attempts blocked, not yet sent upstream (the daily statistics go tomorrow).
  w.reporting.addCounters('2026-11-20', { 'blocked:malware': 2, [`${BLOCKED_DEVICE}${mac}`]: 2 });
  const live = w.port.report('2026-11');
  if (!live) return t.fail('a report for the month in progress');
  const r = buildMonthlyReport(live);
  adds(t, r, live.blockedByDevice, 'in progress');
  t.is(r.blocked.total, nov.reduce((n, s) => n + s.blocked.total, 0) + 2, 'today\'s two attempts are in the total');
  t.is(r.daily.find((d) => d.day === '2026-11-20')?.blocked, 2);
  t.is(r.daysPending, 1, 'one day is counted up to now, and the report says so');

  // The month ends (November 20 was sent the next morning); its last day is not sent yet at 00:30 on the 1st.
  const nov20 = nov.at(-1);
  if (!nov20) return t.fail('November 19');
  w.reporting.putStats({ ...nov20, day: '2026-11-20', from: nov20.to, to: nov20.to + DAY, blocked: { total: 2, byCategory: { malware: 2 } } }, nov20.to + DAY, null);
  const last = makeDailyStats(11, new Date(2026, 11, 1).getTime() + 9 * 3_600_000).filter((s) => s.day.startsWith('2026-11') && s.day > '2026-11-20');
  keepSent(w, last.slice(0, -1), [mac]);
  const tail = last.at(-1);
  if (!tail) return t.fail('November 30');
  w.reporting.addCounters(tail.day, { ...Object.fromEntries(Object.entries(tail.blocked.byCategory).map(([k, v]) => [`blocked:${k}`, v])), [`${BLOCKED_DEVICE}${mac}`]: tail.blocked.total });
  w.clock.now = new Date(2026, 11, 1, 0, 30).getTime();
  const early = w.port.report('2026-11');
  if (!early) return t.fail('a report for the finished month');
  t.is(early.source, 'live', 'not stored while a day is still to be sent');
  adds(t, buildMonthlyReport(early), early.blockedByDevice, 'finished, last day not sent');
  // The statistics of November 30 go upstream: from now the report is the sent statistics.
  w.reporting.putStats(tail, tail.to, null);
  w.clock.now = new Date(2026, 11, 1, 9).getTime();
  const done = w.port.report('2026-11');
  if (!done) return t.fail('the stored report');
  t.is(done.source, 'snapshot');
  const d = buildMonthlyReport(done);
  adds(t, d, done.blockedByDevice, 'finished');
  t.is(d.blocked.total, w.reporting.statsRange('2026-11-01', '2026-11-31').reduce((n, s) => n + s.blocked.total, 0), 'a finished month reconciles with the statistics sent upstream');
  t.is(d.daysCounted, 30);
  t.is(d.daysPending, 0);
});
