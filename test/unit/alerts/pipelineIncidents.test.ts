// The pipeline's mute → suppression → dedup → incident → upstream order, on plain findings.
import type { UpstreamMessage } from '../../../firmware/src/upstream/contract.js';
import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { MutesRepo } from '../../../firmware/src/alerts/mutesRepo.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import type { Finding, Severity } from '../../../firmware/src/alerts/types.js';

const H = 3_600_000;

function setup() {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  const outbox = new OutboxRepo(db);
  const incidents = new IncidentsRepo(db);
  let now = 10 * H;
  const mutes = new MutesRepo(db, () => now);
  const p = new AlertPipeline<UpstreamMessage>({
    db, alerts, upstream: new OutboxSink({ outbox, deviceId: 'box', now: () => now, maxMessages: 1000, maxBytes: 1 << 20 }), incidents, now: () => now, cooldownMs: () => H, incidentWindowMs: 6 * H, suppressWindowMs: 24 * H,
    mutes: () => mutes.list(),
    toUpstream: (a, i) => ({ class: 'alert', msgId: a.kind, severity: 4, timestamp: a.lastSeen, sd: [], text: i ? `incident ${i.id} ${i.severity} via ${a.kind}` : `alert ${a.kind}` }),
  });
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const sent = () => outbox.waitingAfter(0, 100).map((m) => m.payload.subarray(m.payload.indexOf(BOM) + 3).toString());
  return { db, alerts, outbox, incidents, mutes, p, sent, setNow: (ms: number) => (now = ms) };
}

const f = (kind: string, at: number, o: { severity?: Severity; ip?: string; remote?: string; action?: Finding['action'] } = {}): Finding => ({
  kind, severity: o.severity ?? 'warning', dedupKey: `${kind}:${o.ip ?? '192.168.77.10'}:${o.remote ?? '203.0.113.5'}`, at,
  device: { ip: o.ip ?? '192.168.77.10', mac: o.ip ? undefined : '02:00:00:00:00:0a' }, remote: { ip: o.remote ?? '203.0.113.5' },
  direction: 'outbound', action: o.action ?? 'none', params: {}, evidence: { n: at },
});

test('a device story (beacon, then upload) is one incident; upstream hears its opening, each new kind and escalation, never a repeat', (t) => {
  const s = setup();
  s.p.ingest(f('beacon', 10 * H));
  s.p.ingest(f('beacon', 10 * H + 60_000));            // dedup: same alert
  s.p.ingest(f('long_connection', 11 * H));            // same stage: joins, no escalation
  s.p.ingest(f('upload', 12 * H));                     // second stage: escalates warning → danger
  s.p.ingest(f('mail_abuse', 12 * H + 1, { severity: 'danger' })); // joins, already danger
  s.p.ingest(f('scan', 12 * H + 2));                                 // a new kind again
  s.p.ingest(f('scan', 12 * H + 3, { remote: '203.0.113.6' }));      // new alert, kind already told
  const list = s.incidents.recent(10);
  t.is(list.length, 1);
  t.is(list[0]!.severity, 'danger');
  t.deepEqual(list[0]!.kinds, ['beacon', 'long_connection', 'upload', 'mail_abuse', 'scan']);
  t.is(s.incidents.alertIds(list[0]!.id).length, 6);
  t.deepEqual(s.sent(), ['incident 1 warning via beacon', 'incident 1 warning via long_connection', 'incident 1 danger via upload',
    'incident 1 danger via mail_abuse', 'incident 1 danger via scan']);
  t.true(s.alerts.recent(10).every((a) => a.incidentId === 1));
});

test('after the window a new incident opens; other devices get their own', (t) => {
  const s = setup();
  s.p.ingest(f('scan', 10 * H));
  s.p.ingest(f('scan', 10 * H, { ip: '192.168.77.11' }));
  s.p.ingest(f('beacon', 17 * H));
  t.is(s.incidents.recent(10).length, 3);
  t.is(s.sent().length, 3);
});

test('findings without a device still go upstream one by one', (t) => {
  const s = setup();
  s.p.ingest({ ...f('sensor_down', 10 * H), device: undefined, dedupKey: 'x' });
  t.deepEqual(s.sent(), ['alert sensor_down']);
  t.is(s.incidents.recent(10).length, 0);
});

test('mutes by device, destination, both, kind and expiry', (t) => {
  const s = setup();
  s.mutes.add({ device: '02:00:00:00:00:0a', remote: '203.0.113.5', kind: undefined, until: null, reason: 'backup job' });
  t.truthy(s.p.ingest(f('beacon', 10 * H)).muted);
  t.falsy(s.p.ingest(f('beacon', 10 * H, { remote: '203.0.113.6' })).muted, 'another destination is not muted');
  s.mutes.add({ device: undefined, remote: '198.51.100.0/24', kind: 'upload', until: 10 * H + 1000, reason: '' });
  t.truthy(s.p.ingest(f('upload', 10 * H, { remote: '198.51.100.9' })).muted);
  t.falsy(s.p.ingest(f('beacon', 10 * H, { remote: '198.51.100.9' })).muted, 'only that kind');
  s.setNow(10 * H + 1000);
  t.falsy(s.p.ingest(f('upload', 10 * H + 2000, { remote: '198.51.100.9', ip: '192.168.77.12' })).muted, 'expired');
  t.is(s.p.counts.muted, 2);
  t.throws(() => s.mutes.add({ device: undefined, remote: undefined, kind: undefined, until: null, reason: '' }));
  t.true(s.mutes.delete(1));
  t.false(s.mutes.delete(1));
});

test('a blocked repeat with nothing new folds into the earlier alert after the cooldown; a worse one does not', (t) => {
  const s = setup();
  s.p.ingest(f('blocklist_hit', 10 * H, { action: 'blocked' }));
  const r = s.p.ingest(f('blocklist_hit', 14 * H, { action: 'blocked' }));
  t.false(r.isNew);
  t.is(s.p.counts.suppressed, 1);
  t.is(s.alerts.count(), 1);
  s.p.ingest(f('blocklist_hit', 20 * H, { action: 'blocked', severity: 'danger' }));
  t.is(s.alerts.count(), 2, 'a higher severity is news');
});

test('a device named by MAC in one finding and by IP only in another is one incident', (t) => {
  const s = setup();
  s.p.ingest(f('blocklist_hit', 10 * H, { action: 'watched' }));                    // MAC + IP
  s.p.ingest({ ...f('threat_contact', 10 * H + 1000), device: { ip: '192.168.77.10' } }); // IP only (flow, bridge mode)
  const list = s.incidents.recent(10);
  t.is(list.length, 1);
  t.is(list[0]!.deviceKey, '02:00:00:00:00:0a');
  t.is(list[0]!.device.mac, '02:00:00:00:00:0a');
});
