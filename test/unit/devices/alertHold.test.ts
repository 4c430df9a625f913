// Replays of a new device's first minutes through the real inventory reducer, alert pipeline,
// message catalog and upstream message builder: an alert worded on the classification (old PC,
// personal phone) waits for the evidence the box will soon have (its DNS lookups, a later DHCP
// request), or for decisive evidence, whichever is first; the unknown-device question is asked at
// once; a device reclassified later has its alert corrected on the page and upstream, never left standing.
import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { AlertsRepo } from '../../../firmware/src/alerts/alertsRepo.js';
import { IncidentsRepo } from '../../../firmware/src/alerts/incidentsRepo.js';
import { OutboxRepo } from '../../../firmware/src/upstream/outboxRepo.js';
import { OutboxSink } from '../../../firmware/src/upstream/sink.js';
import { AlertPipeline } from '../../../firmware/src/alerts/pipeline.js';
import { cooldownMsFor } from '../../../firmware/src/config/schema.js';
import { alertUpstream } from '../../../firmware/src/app/alertUpstream.js';
import type { Alert, Finding } from '../../../firmware/src/alerts/types.js';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { observe, tick } from '../../../firmware/src/devices/inventory.js';
import { applyAction } from '../../../firmware/src/devices/actions.js';
import { DEFAULT_POLICY, emptyInventory, type InventoryPolicy, type InventoryState, type Observation } from '../../../firmware/src/devices/model.js';
import { staffText } from '../../../webui/src/i18n/staffText.js';

const table = loadFingerprints();
const DAY = 86_400_000;
const T0 = 1_764_100_000_000;
const AFTER = T0 + 8 * DAY;
const policy: InventoryPolicy = DEFAULT_POLICY;
const text = staffText(null);
// Windows Vista/7's whole list: Windows 10 and 11 may send it too (FingerBank, Satori).
const VISTA7 = [1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43];
const ANDROID = [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108];
const PC = '00:1b:21:00:00:23';
const PHONE = '3a:11:22:33:44:55';

const dhcp = (mac: string, at: number, d: Partial<NonNullable<Observation['dhcp']>>): Observation =>
  ({ mac, at, source: 'dhcp', ipv4: '192.168.1.23', vendor: null, dhcp: { hostname: null, prl: [], vendorClass: null, clientId: null, ...d } });
const lookup = (mac: string, at: number, dnsHint: string): Observation => ({ mac, at, source: 'dns', vendor: null, dnsHint });

/** An office: the inventory reducer feeding the real alert pipeline, with the clock the events carry. */
function office(p: InventoryPolicy = policy) {
  const db = openDb(':memory:', everyMigration);
  const alerts = new AlertsRepo(db);
  const outbox = new OutboxRepo(db);
  let now = AFTER;
  const sink = new OutboxSink({ outbox, deviceId: 'box', now: () => now, maxMessages: 10_000, maxBytes: 1 << 24 });
  const pipeline = new AlertPipeline({
    db, alerts, upstream: sink, incidents: new IncidentsRepo(db), now: () => now,
    cooldownMs: cooldownMsFor({ cooldownSeconds: 3600, cooldownByKind: {} }),
    toUpstream: (a, i) => alertUpstream(a, i, (x) => text.explain(x, 'ja'), () => undefined),
  });
  let state: InventoryState = emptyInventory(T0);
  const findings: Finding[] = [];
  const raise = (fs: Finding[]): void => { for (const f of fs) { findings.push(f); pipeline.ingest(f); } };
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  return {
    findings,
    see(o: Observation): void {
      now = o.at;
      const s = observe(state, o, now, p, table);
      state = s.state; raise(s.findings);
    },
    /** The feature's 5-second timer up to `at`. */
    until(at: number): void {
      while (now < at) {
        now = Math.min(at, now + 5000);
        const s = tick(state, now, p, table);
        state = s.state; raise(s.findings);
      }
    },
    act(a: Parameters<typeof applyAction>[1]): void {
      const r = applyAction(state, a, p);
      if (r.ok) state = r.state;
    },
    device: (mac: string) => state.devices.get(mac),
    deviceAlerts: (mac: string): Alert[] => alerts.recent(100).filter((a) => a.device.mac === mac),
    upstream: (): string[] => outbox.waitingAfter(0, 10_000).map((m) => m.payload.subarray(m.payload.indexOf(BOM) + 3).toString()),
    rawUpstream: (): string[] => outbox.waitingAfter(0, 10_000).map((m) => m.payload.toString()),
    words: (a: Alert, lang: 'ja' | 'en'): string => { const t = text.explain(a, lang); return `${t.title} ${t.what}`; },
  };
}

test('Windows 10 sending the Vista/7 list, then looking up msftconnecttest.com: no end-of-life alert, anywhere', (t) => {
  const o = office();
  o.see(dhcp(PC, AFTER, { prl: VISTA7, vendorClass: 'MSFT 5.0', hostname: 'KEIRI-PC' }));
  t.true(o.device(PC)?.eol, 'the list alone says Windows 7');
  t.deepEqual(o.findings, [], 'the end-of-life alert waits for the evidence the box will soon have');
  t.is(o.device(PC)?.status, 'new', 'the device itself is decided at once');
  // Windows' connectivity check, a second later: only Windows 10 and later look it up.
  o.see(lookup(PC, AFTER + 1200, 'windows-ncsi'));
  t.deepEqual(o.findings, [], 'msftncsi.com is looked up by Windows 10 too: not decisive');
  o.see(lookup(PC, AFTER + 1300, 'windows-ncsi-10'));
  t.deepEqual(o.findings.map((f) => f.kind), ['new_device_unknown'], 'asked at once when the evidence removed the end-of-life verdict');
  o.until(AFTER + 10 * 60_000);
  const list = o.deviceAlerts(PC);
  t.deepEqual(list.map((a) => a.kind), ['new_device_unknown']);
  t.like(list[0]!.params, { osName: 'Windows 10 / 11', deviceType: 'pc' });
  t.false(o.device(PC)!.eol);
  const up = o.upstream();
  t.is(up.length, 1);
  t.false(/古いパソコン|サポートが終わった|Windows 7|Vista/.test(up.join('\n')), up.join('\n'));
  t.false(/古いパソコン|Windows 7/.test(o.words(list[0]!, 'ja')));
  t.false(/old computer|Windows 7/.test(o.words(list[0]!, 'en')));
});

test('Windows 7 for real: the end-of-life alert comes when the window ends (looking up msftncsi.com only)', (t) => {
  const o = office();
  o.see(dhcp(PC, AFTER, { prl: VISTA7, vendorClass: 'MSFT 5.0', hostname: 'OLD-PC' }));
  o.see(lookup(PC, AFTER + 1000, 'windows-ncsi'));
  o.until(AFTER + policy.evidenceMs - 5000);
  t.deepEqual(o.findings, []);
  o.until(AFTER + policy.evidenceMs);
  t.deepEqual(o.findings.map((f) => f.kind), ['new_device_eol']);
  t.like(o.findings[0]!.params, { osName: 'Windows Vista / 7' });
  t.is(o.device(PC)?.alertHeldUntil, undefined);
  o.until(AFTER + 30 * 60_000);
  t.is(o.findings.length, 1, 'raised once');
});

test('a device reclassified after its alert was raised: the same alert is corrected on the page and upstream', (t) => {
  const o = office();
  o.see(dhcp(PC, AFTER, { prl: VISTA7, vendorClass: 'MSFT 5.0', hostname: 'KEIRI-PC' }));
  o.until(AFTER + policy.evidenceMs); // its lookups went to a DNS server the box did not see
  const [eol] = o.deviceAlerts(PC);
  t.is(eol?.kind, 'new_device_eol');
  t.regex(o.words(eol!, 'ja'), /サポートが終わった古いパソコン/);
  // Twenty minutes later it checks its connection: Windows 10 or later.
  o.see(lookup(PC, AFTER + 20 * 60_000, 'windows-ncsi-10'));
  const now = o.deviceAlerts(PC);
  t.is(now.length, 1, 'one alert, corrected in place: no wrong one left standing');
  t.is(now[0]!.id, eol!.id);
  t.is(now[0]!.kind, 'new_device_unknown');
  t.like(now[0]!.params, { osName: 'Windows 10 / 11' });
  t.is(now[0]!.evidence['replaces'], 'new_device_eol');
  t.regex(o.words(now[0]!, 'ja'), /先に「サポートが終わった古いパソコン」とお知らせしましたが、その後の通信から、そうではないと分かりました。/);
  t.false(/古いパソコンがつながりました|Windows Vista/.test(o.words(now[0]!, 'ja')));
  t.false(/old computer without security updates joined|Windows Vista/.test(o.words(now[0]!, 'en')));
  t.regex(o.words(now[0]!, 'en'), /first reported it as an old computer without security updates; what it saw since shows it is not/);
  const up = o.rawUpstream();
  t.is(up.length, 2, 'upstream heard the alert and then its correction, at once');
  t.regex(up[1]!, new RegExp(`alert="${eol!.id}" kind="new_device_unknown"`));
  t.regex(up[1]!, /replaces="new_device_eol"/);
  t.regex(up[1]!, /kinds="new_device_unknown"/, 'its incident says the corrected kind too');
  // More of the same evidence changes nothing.
  o.see(lookup(PC, AFTER + 21 * 60_000, 'windows-update'));
  t.is(o.rawUpstream().length, 2);
});

test('a phone whose own connectivity check agrees is told at once; the unknown-device question never waits', (t) => {
  const o = office();
  o.see(dhcp(PHONE, AFTER, { prl: ANDROID, vendorClass: 'android-dhcp-13', hostname: 'Galaxy-S23' }));
  t.deepEqual(o.findings, []);
  o.see(lookup(PHONE, AFTER + 700, 'android-check'));
  t.deepEqual(o.findings.map((f) => f.kind), ['new_device_phone']);
  // A device of unknown kind (a short list shared by consoles, access points and printers): at once.
  const unknown = '00:00:5e:00:53:42';
  o.see(dhcp(unknown, AFTER + 1000, { prl: [1, 3, 6, 15], hostname: 'x' }));
  t.deepEqual(o.findings.map((f) => f.kind), ['new_device_phone', 'new_device_unknown']);
  t.is(o.findings[1]!.at, AFTER + 1000);
});

test('a phone that turns out to be a Windows PC: the held phone alert is never raised as a phone', (t) => {
  const o = office();
  o.see(dhcp(PHONE, AFTER, { prl: ANDROID, hostname: null }));
  t.true(o.device(PHONE)?.likelyPersonalPhone);
  o.see(lookup(PHONE, AFTER + 2000, 'windows-ncsi-10'));
  o.until(AFTER + 5 * 60_000);
  t.deepEqual(o.findings.map((f) => f.kind), ['new_device_unknown']);
  t.false(o.device(PHONE)!.likelyPersonalPhone);
});

test('auto-quarantine acts at once while the alert waits; staff who approve during the window are not asked', (t) => {
  const o = office({ ...policy, autoQuarantine: true });
  o.see(dhcp(PHONE, AFTER, { prl: ANDROID, vendorClass: 'android-dhcp-13', hostname: 'Galaxy-S23' }));
  t.is(o.device(PHONE)?.status, 'quarantined');
  o.until(AFTER + policy.evidenceMs);
  t.deepEqual(o.findings.map((f) => [f.kind, f.params['quarantined']]), [['new_device_phone', true]]);

  const p = office();
  p.see(dhcp(PHONE, AFTER, { prl: ANDROID, vendorClass: 'android-dhcp-13', hostname: 'Galaxy-S23' }));
  p.act({ type: 'approve', mac: PHONE, actor: 'admin', at: AFTER + 20_000 });
  p.until(AFTER + 5 * 60_000);
  t.deepEqual(p.findings, []);
  t.is(p.device(PHONE)?.alertHeldUntil, undefined);
});

test('"maybe the same as" an earlier device is withdrawn, on the page and upstream, once that device is seen in use again', (t) => {
  const o = office();
  const RARE = [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108, 252, 119]; // outside the table: "rare"
  const A = '02:5e:00:00:00:01'; const B = '02:5e:00:00:00:02';
  const H = 3_600_000;
  o.see(dhcp(A, AFTER, { prl: RARE, clientId: '01025e00000001' }));
  o.until(AFTER + 10 * 60_000);
  // A second unit of the same model joins after the first went quiet: the timing of a rotation too.
  o.see(dhcp(B, AFTER + H, { prl: RARE, clientId: '01025e00000002' }));
  o.until(AFTER + H + 10 * 60_000);
  const [said] = o.deviceAlerts(B);
  t.is(said?.params['maybeSameAs'], A);
  t.regex(o.words(said!, 'ja'), /以前の機器と同じかもしれません/);
  const before = o.rawUpstream().length;
  // The next morning the first unit is in use again: two devices.
  o.see({ mac: A, at: AFTER + 16 * H, source: 'neigh', ipv4: '192.168.1.20', vendor: null });
  const [now] = o.deviceAlerts(B);
  t.is(now!.id, said!.id);
  t.is(now!.params['maybeSameAs'], undefined);
  t.false(/以前の機器と同じかもしれません（/.test(o.words(now!, 'ja')));
  t.regex(o.words(now!, 'ja'), /別の機器です/);
  t.false(/may be the same device/.test(o.words(now!, 'en')));
  t.is(o.device(B)?.maybeSameAs, null);
  t.true(o.device(B)?.linkEvidence?.signals.includes('both_active'));
  const up = o.rawUpstream();
  t.is(up.length, before + 1, 'upstream hears the correction');
  t.regex(up.at(-1)!, new RegExp(`alert="${said!.id}"`));
  t.false(up.at(-1)!.includes('かもしれません（'));
  // Seen again later: nothing more to withdraw.
  o.see({ mac: A, at: AFTER + 40 * H, source: 'neigh', ipv4: '192.168.1.20', vendor: null });
  t.is(o.rawUpstream().length, before + 1);
});
