// A finding that corrects an earlier alert (Finding.replaces: a device reclassified on later
// evidence) restates that alert in place — kind, words, evidence — and upstream hears it at once;
// a mute never keeps a wrong alert standing; with nothing to correct it is an ordinary finding.
import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import type { Mute } from '../../../firmware/src/alerts/mutes.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import type { UpstreamMessage } from '../../../firmware/src/upstream/contract.js';

const MAC = '00:1b:21:00:00:23';

function setup(mutes: Mute[] = []) {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  const outbox = new OutboxRepo(db);
  let now = 1_000_000;
  const upstream = new OutboxSink({ outbox, deviceId: 'box', now: () => now, maxMessages: 1000, maxBytes: 1 << 20 });
  const p = new AlertPipeline<UpstreamMessage>({
    db, alerts, upstream, now: () => now, cooldownMs: () => 60_000, mutes: () => mutes,
    toUpstream: (a) => ({ class: 'alert', msgId: a.kind, severity: 4, timestamp: a.lastSeen, sd: [], text: `alert ${a.id} ${a.kind} ${typeof a.evidence['replaces'] === 'string' ? a.evidence['replaces'] : ''}`, alertId: a.id }),
  });
  const sent = (): string[] => outbox.waitingAfter(0, 100).map((m) => m.payload.toString().split(' ').slice(-3).join(' '));
  return { alerts, p, sent, at: (ms: number) => (now = ms) };
}

const device = (kind: string, at: number, osName: string, replaces?: string[]): Finding => ({
  kind, severity: 'warning', dedupKey: `device:${MAC}`, at, device: { mac: MAC }, action: 'none',
  params: { mac: MAC, osName }, evidence: { osName }, ...(replaces ? { replaces } : {}),
});

test('a correction restates the same alert, long after its cooldown, and upstream hears it at once', (t) => {
  const s = setup();
  s.p.ingest(device('new_device_eol', 1000, 'Windows Vista / 7'));
  s.at(3_600_000);
  const r = s.p.ingest(device('new_device_unknown', 3_600_000, 'Windows 10 / 11', ['new_device_eol']));
  t.false(r.isNew);
  const all = s.alerts.recent(10);
  t.is(all.length, 1);
  t.like(all[0], { kind: 'new_device_unknown', firstSeen: 1000, lastSeen: 3_600_000, params: { osName: 'Windows 10 / 11' }, evidence: { replaces: 'new_device_eol' } });
  t.deepEqual(s.sent(), ['1 new_device_eol ', '1 new_device_unknown new_device_eol']);
});

test('with nothing to correct, a correction is an ordinary new alert', (t) => {
  const s = setup();
  const r = s.p.ingest(device('new_device_unknown', 1000, 'Windows 10 / 11', ['new_device_eol']));
  t.true(r.isNew);
  t.is(s.alerts.recent(10)[0]?.evidence['replaces'], undefined);
});

test('a mute on the corrected kind does not keep the wrong alert standing; a muted finding with nothing to correct stays muted', (t) => {
  const mutes: Mute[] = [{ id: 1, device: MAC, kind: 'new_device_unknown', until: null, reason: '' }];
  const s = setup(mutes);
  s.p.ingest(device('new_device_eol', 1000, 'Windows Vista / 7'));
  s.p.ingest(device('new_device_unknown', 2000, 'Windows 10 / 11', ['new_device_eol']));
  t.is(s.alerts.recent(10)[0]?.kind, 'new_device_unknown');
  const other = setup(mutes);
  t.truthy(other.p.ingest(device('new_device_unknown', 2000, 'Windows 10 / 11', ['new_device_eol'])).muted);
  t.is(other.alerts.count(), 0);
});
