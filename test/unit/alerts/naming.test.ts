// Devices named as staff know them (issue 15): label, else the device's own name, else maker and
// kind, always with the address after it; a label and a self-given name are told apart; the
// same naming reaches the page's words, the upstream message and the utmctl line.
import test from 'ava';
import { technicianName, withDeviceNames, type DeviceNaming, type NameDevice } from '../../../firmware/src/alerts/naming.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { alertUpstream } from '../../../firmware/src/app/alertUpstream.js';
import { deviceNaming } from '../../../firmware/src/devices/naming.js';
import type { Device } from '../../../firmware/src/devices/model.js';
import { formatRfc5424 } from '../../../firmware/src/upstream/rfc5424.js';
import { staffText } from '../../../webui/src/i18n/staffText.js';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import { incidentsView } from '../../../firmware/src/traffic/view.js';
import { incidentAsAlert } from '../../../firmware/src/alerts/incidentText.js';

const text = staffText(null);
const alert = (kind: string, params: Alert['params'] = {}): Alert => ({
  id: 7, kind, severity: 'danger', dedupKey: 'k', device: { ip: '192.168.1.23', mac: '00:1b:21:00:00:23' },
  remote: { ip: '198.51.100.66', port: 443 }, direction: 'outbound', action: 'none', count: 1, firstSeen: 1, lastSeen: 2,
  params: { device: '192.168.1.23', remote: '198.51.100.66', intervalSeconds: 1614, connections: 40, servers: 30, minutes: 10, ...params },
  evidence: {}, incidentId: null,
});
const naming = (n: Partial<DeviceNaming>): NameDevice => () => ({ label: null, hostname: null, vendor: null, type: null, ...n });
const what = (a: Alert, name: NameDevice | undefined, lang: 'ja' | 'en') => text.explain(withDeviceNames(a, name), lang).what;

const KINDS = ['beacon', 'mail_abuse', 'scan', 'upload', 'long_connection', 'threat_contact', 'threat_repeat'];

test('every traffic alert names the device by its staff label first, with the address after it', (t) => {
  const n = naming({ label: '経理のパソコン', hostname: 'KEIRI-XP', vendor: 'Intel Corporate', type: 'pc' });
  for (const k of KINDS) {
    t.true(what(alert(k), n, 'ja').includes('経理のパソコン（192.168.1.23）'), k);
    t.true(what(alert(k), n, 'en').includes('“経理のパソコン” (192.168.1.23)'), k);
    t.false(what(alert(k), n, 'ja').includes('KEIRI-XP'), `${k}: the label wins over the hostname`);
  }
});

test('without a label: the name the device gives itself, marked as its own claim', (t) => {
  const n = naming({ hostname: 'KEIRI-XP', vendor: 'Intel Corporate', type: 'pc' });
  for (const k of KINDS) {
    t.true(what(alert(k), n, 'ja').includes('「KEIRI-XP」と名乗るパソコン（192.168.1.23）'), k);
    t.regex(what(alert(k), n, 'en'), /computer calling itself “KEIRI-XP” \(192\.168\.1\.23\)/, k);
  }
  // A device calling itself what staff would call a labelled device does not read like the label.
  const fake = naming({ hostname: '経理のパソコン', type: 'pc' });
  t.true(what(alert('beacon'), fake, 'ja').includes('「経理のパソコン」と名乗るパソコン（192.168.1.23）'));
});

test('without label or hostname: maker and kind; without those, an office device of unknown kind', (t) => {
  t.true(what(alert('beacon'), naming({ vendor: 'Brother Industries', type: 'printer' }), 'ja').includes('Brother Industries製のプリンター（192.168.1.23）'));
  t.regex(what(alert('beacon'), naming({ vendor: 'Brother Industries', type: 'printer' }), 'en'), /A Brother Industries printer \(192\.168\.1\.23\)/);
  t.true(what(alert('beacon'), naming({ type: 'unknown' }), 'ja').includes('社内の種類の分からない機器（192.168.1.23）'));
  t.true(what(alert('beacon'), undefined, 'ja').includes('社内の機器（192.168.1.23）'));
});

test('the inventory gives no maker for a private MAC, and empty names count as none', (t) => {
  const base: Omit<Device, 'hostname' | 'vendor' | 'randomised' | 'deviceType' | 'label'> = {
    mac: '02:00:00:00:00:01', ipv4: [], ipv6: [], fingerprint: null, osFamily: 'unknown', osName: '', confidence: 0, eol: false,
    likelyPersonalPhone: false, phoneReasons: [], firstSeen: 0, lastSeen: 0, status: 'approved', linkedTo: null, maybeSameAs: null, alerted: false, pendingSince: null };
  t.deepEqual(deviceNaming({ ...base, hostname: '  ', vendor: 'Apple, Inc.', randomised: true, deviceType: 'phone', label: null }),
    { label: null, hostname: null, vendor: null, type: 'phone' });
  t.deepEqual(deviceNaming({ ...base, hostname: 'iPhone', vendor: 'Apple, Inc.', randomised: false, deviceType: 'phone', label: '社長のiPhone' }),
    { label: '社長のiPhone', hostname: 'iPhone', vendor: 'Apple, Inc.', type: 'phone' });
});

test('the upstream message names the device in its text and keeps label and hostname apart in its data', (t) => {
  const n = naming({ label: '経理のパソコン', hostname: 'KEIRI-XP"]\n<13>fake', type: 'pc' });
  const m = alertUpstream(alert('mail_abuse'), undefined, (a) => text.explain(a, 'ja'), n);
  t.true(m.text.includes('経理のパソコン（192.168.1.23）'));
  const wire = formatRfc5424({ facility: 16, severity: m.severity, timestamp: m.timestamp, hostname: 'box', appName: 'utmd', msgId: m.msgId, sd: m.sd, msg: m.text }).toString();
  t.regex(wire, /deviceLabel="経理のパソコン"/);
  t.regex(wire, /deviceHostname="KEIRI-XP\\"\\]/);
  t.false(wire.includes('\n<13>fake'));
});

test('the technician line says which kind of name it is', (t) => {
  t.is(technicianName({ deviceLabel: '経理', deviceName: 'X' }), 'label "経理"');
  t.is(technicianName({ deviceName: 'KEIRI-XP' }), 'hostname "KEIRI-XP"');
  t.is(technicianName({ deviceVendor: 'Brother', deviceType: 'printer' }), 'Brother printer');
  t.is(technicianName({}), undefined);
  t.is(technicianName({ deviceVendor: 'Apple', deviceType: 'unknown' }), 'Apple device', 'an unknown kind is not named as a kind');
  t.is(technicianName({ deviceType: 'unknown' }), undefined, 'nothing known: no name');
});

test('the page\'s incident view names the device in the incident and in each of its alerts', (t) => {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  const incidents = new IncidentsRepo(db);
  const upstream = new OutboxSink({ outbox: new OutboxRepo(db), deviceId: 'box', now: () => 2000, maxMessages: 100, maxBytes: 1 << 20 });
  const p = new AlertPipeline({ db, alerts, incidents, upstream, now: () => 2000, cooldownMs: () => 3_600_000, toUpstream: (a, i) => alertUpstream(a, i, (x) => text.explain(x, 'ja')) });
  const a = alert('beacon');
  p.ingest({ kind: a.kind, severity: 'warning', dedupKey: 'b', at: 1000, device: a.device, remote: { ip: '198.51.100.66' }, direction: 'outbound', action: 'none', params: a.params, evidence: {} });
  const view = incidentsView({ alerts, incidents, now: () => 2000, name: naming({ label: '経理のパソコン', hostname: 'KEIRI-XP', type: 'pc' }) });
  const [entry] = view.recent();
  t.truthy(entry);
  t.true(text.explain(incidentAsAlert(entry!.incident), 'ja').title.includes('経理のパソコン（192.168.1.23）'));
  t.true(text.explain(entry!.alerts[0]!, 'ja').what.includes('経理のパソコン（192.168.1.23）'));
});
