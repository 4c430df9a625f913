// Weak findings (a long HTTPS connection) only add to a story another finding has opened.
import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import { LongConnectionDetector } from '../../../firmware/src/detectors/longConn.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { ctx, DAY0, flow, H } from '../detectors/helpers.js';

const H6 = 6 * H;
function setup() {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  const p = new AlertPipeline({
    db, alerts, incidents: new IncidentsRepo(db), now: () => DAY0, cooldownMs: () => H, incidentWindowMs: H6,
    upstream: new OutboxSink({ outbox: new OutboxRepo(db), deviceId: 'box', now: () => DAY0, maxMessages: 100, maxBytes: 1 << 20 }),
    toUpstream: (a) => ({ class: 'alert' as const, msgId: a.kind, severity: 4, timestamp: a.lastSeen, sd: [], text: a.kind, alertId: a.id }),
  });
  return { alerts, p };
}

/** The long-connection finding the detector makes for a 3-hour connection on `port`. */
function longConn(port: number, at: number): Finding {
  const d = new LongConnectionDetector(ctx());
  for (let h = 0; h < 3; h++) d.onFlow(flow({ remoteIp: '198.51.100.9', start: at - 3 * H + h * H, end: at - 3 * H + h * H + 1000 }));
  const [f] = d.onFlow(flow({ event: 'update', remoteIp: '203.0.113.50', remotePort: port, start: at - 3 * H, end: at }));
  if (!f) throw new Error('no finding');
  return f;
}

test('a long connection on a web port alone is not an alert; on another port it is', (t) => {
  const s = setup();
  t.true(longConn(443, DAY0 + 4 * H).corroborating);
  t.is(s.p.ingest(longConn(443, DAY0 + 4 * H)).alert, undefined);
  t.is(s.alerts.count(), 0);
  t.is(s.p.counts.uncorroborated, 1);
  t.falsy(longConn(22, DAY0 + 4 * H).corroborating);
  t.truthy(s.p.ingest(longConn(22, DAY0 + 4 * H)).alert);
  t.is(s.alerts.count(), 1);
});

test('a long web connection joins the story another kind of finding opened, and only within its window', (t) => {
  const s = setup();
  const beacon: Finding = {
    kind: 'beacon', severity: 'warning', dedupKey: 'beacon:x', at: DAY0 + 3 * H, device: { ip: '192.168.1.10', mac: '02:00:00:00:00:0a' },
    remote: { ip: '203.0.113.77' }, direction: 'outbound', action: 'none', params: {}, evidence: {},
  };
  s.p.ingest(beacon);
  const joined = s.p.ingest(longConn(443, DAY0 + 4 * H));
  t.truthy(joined.alert);
  t.is(joined.alert?.incidentId, s.alerts.recent(10).find((a) => a.kind === 'beacon')?.incidentId);
  // Another long web connection ten hours after the beacon: the incident is closed, nothing stored.
  t.is(s.p.ingest({ ...longConn(443, DAY0 + 13 * H), dedupKey: 'other' }).alert, undefined);
});

test('a weak finding joins only a story about its own destination network, never an unrelated one', (t) => {
  const s = setup();
  // An upload to 198.51.100.0/24 opened the device's incident; a long HTTPS connection to a chat
  // server elsewhere (203.0.113.50) adds nothing to that story, one to the same network does.
  const upload: Finding = {
    kind: 'upload', severity: 'warning', dedupKey: 'upload:x', at: DAY0 + 3 * H, device: { ip: '192.168.1.10', mac: '02:00:00:00:00:0a' },
    remote: { ip: '198.51.100.20', port: 443 }, direction: 'outbound', action: 'none', params: {}, evidence: {},
  };
  s.p.ingest(upload);
  t.is(s.p.ingest(longConn(443, DAY0 + 4 * H)).alert, undefined);
  const related = { ...longConn(443, DAY0 + 4 * H), remote: { ip: '198.51.100.77', port: 443 }, dedupKey: 'long_connection:related' };
  t.truthy(s.p.ingest(related).alert);
  t.is(s.alerts.count(), 2);
});
