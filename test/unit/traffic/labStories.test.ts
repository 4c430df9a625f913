// The detection half of the lab's traffic stories (issue 13), replayed with a fake clock. The
// kernel tests (test/integration/traffic/{beacon,longConnection,upload,dnsNames}.test.ts) show
// at real speed that the lab's traffic reaches the detectors as typed flow records; these tests
// feed the same stories as flow records — ulogd2 NFCT datagrams through the listener's parser,
// conntrack listing lines through the poller's reader — into the real TrafficFeature, the real
// alert store (pipeline, incidents, upstream messages through the catalog) and the technician's
// text, over hours of event time in milliseconds. Each test names the old kernel assertion it carries.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrafficFeature } from '../../../firmware/src/traffic/feature.js';
import { trafficRepos, type TrafficRepos } from '../../../firmware/src/traffic/view.js';
import { parseConntrackLine } from '../../../firmware/src/traffic/conntrackList.js';
import { ConfigSchema } from '../../../firmware/src/config/schema.js';
import { Conditions } from '../../../firmware/src/app/conditions.js';
import { AlertStore } from '../../../firmware/src/app/alertStore.js';
import { alertHandlers } from '../../../firmware/src/app/alertCommands.js';
import { packageRoot } from '../../../firmware/src/sys/paths.js';
import { parseNfct } from '../../../firmware/src/sensors/nfct.js';
import { printHuman } from '../../../firmware/src/cli/human.js';
import type { FeatureContext } from '../../../firmware/src/feature/contract.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { staffText } from '../../../webui/src/i18n/staffText.js';
import { datagram } from '../../bench/officeDay.js';
import { answerFor } from '../../helpers/dnsWire.js';

const H = 3_600_000;
const MIN = 60_000;
/** Thursday 2026-11-26 17:30 in the office (JST, the shipped thresholds' time zone). */
const THU_1730 = Date.UTC(2026, 10, 26, 8, 30);
const BOX = '192.168.77.2';
const LAN = ['192.168.77.0/24', '2001:db8:77::/64'];
const PC = '192.168.77.101';
const PC2 = '192.168.77.102';
const quiet = { info: (): void => undefined, warn: (): void => undefined, error: (): void => undefined };

type IncidentRow = { id: number; device: { ip: string }; alerts: Alert[] };

/** The box's traffic feature and alert store on a fake clock, as utmd wires them. */
function office(t: ExecutionContext, traffic: Record<string, unknown> = {}) {
  const clock = { now: THU_1730 - 24 * H };
  const now = (): number => clock.now;
  const stateDir = mkdtempSync(join(tmpdir(), 'utm-stories-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  const config = ConfigSchema.parse({ traffic: { ...traffic, dnsNames: { capture: false, ...(traffic['dnsNames'] as object | undefined) } } });
  const conditions = new Conditions(now);
  const feature = new TrafficFeature({ root: packageRoot() });
  const store = AlertStore.open({
    stateDir, config, provisioning: null, deviceId: 'box-traffic-01', startedAt: clock.now, now, log: quiet, conditions,
    text: staffText({ name: 'テストお助け隊 相談窓口', phone: '0120-000-000' }), features: [feature],
  });
  t.teardown(() => store.close());
  const ctx = {
    stateDir, config, provisioning: null, base: { logPrefix: 'utm', tableName: 'utm' }, now, conditions, deviceId: 'box-traffic-01', log: quiet,
    repos: trafficRepos(store.db, now), ruleset: null,
    plan: () => ({ lanPrefixes: LAN, boxAddresses: [BOX], ifaces: { wan: 'eth0', lan: ['eth1'] } }),
    raise: (f: Parameters<AlertStore['raise']>[0]) => store.raise(f), requestApply: async () => false,
  } as unknown as FeatureContext<TrafficRepos>;
  feature.init(ctx);
  const commands = alertHandlers({ incidents: store.incidents, mutes: store.mutes, alerts: store.alerts, explain: (a) => store.explain(a), nameDevice: store.nameDevice, now });
  return {
    clock, feature, store,
    /** One ended connection as ulogd2 sends it, judged when it ends. */
    ended(o: { src: string; dst: string; dport: number; start: number; end: number; ob: number; rb: number; family?: 4 | 6 }): void {
      clock.now = Math.max(clock.now, o.end);
      const dg = { ...datagram({ dev: 0, dst: o.dst, dport: o.dport, proto: 6, start: o.start, end: o.end, ob: o.ob, op: Math.ceil(o.ob / 1400) + 2, rb: o.rb, rp: Math.ceil(o.rb / 1400) + 2 }, o.src),
        'oob.family': o.family === 6 ? 10 : 2 };
      const r = parseNfct(dg, clock.now);
      if (!r.ok) throw new Error(`the datagram does not parse: ${r.reason}`);
      feature.onFlow(r.event);
    },
    /** One line of the box's conntrack listing at `at`, handed on as the poller does. */
    listed(line: string, at: number): void {
      clock.now = Math.max(clock.now, at);
      const rec = parseConntrackLine(line, clock.now);
      const r = rec ? parseNfct(rec, clock.now) : undefined;
      if (!r?.ok) throw new Error(`the listing line does not parse: ${line}`);
      feature.onFlow(r.event);
    },
    incidents: (): IncidentRow[] => commands['incidents']!({ limit: 100 }) as IncidentRow[],
    /** `utmctl incidents` as the technician reads it. */
    incidentsText(): string {
      let s = '';
      printHuman('incidents', commands['incidents']!({ limit: 100 }), (x) => { s += x; }, { duration: (ms) => `${ms} ms` });
      return s;
    },
    /** The RFC 5424 messages waiting for the collector that are about `deviceIp`. */
    upstream: (deviceIp: string): string[] => store.outbox.waitingAfter(0, 10_000).map((m) => m.payload.toString()).filter((l) => l.includes(`deviceIp="${deviceIp}"`)),
    /** Incident ids the page shows. */
    pageIds: (): number[] => feature.views()?.recent().map((e) => e.incident.id) ?? [],
  };
}

/** Check-ins from `src` to dst:443 every `everyMs` for `hours` hours from `from`, 180 bytes of payload each. */
function checkIns(o: ReturnType<typeof office>, src: string, dst: string, from: number, hours: number, everyMs = 10 * MIN, family: 4 | 6 = 4, each?: (at: number) => void): void {
  for (let at = from; at < from + hours * H; at += everyMs) {
    each?.(at);
    o.ended({ src, dst, dport: 443, start: at, end: at + 300, ob: 180 + 6 * 52, rb: 5 * 52 + 40, family });
  }
}

test('beacon (was integration beacon.test): fixed-interval check-ins to one address are one beacon incident, upstream and on the page', (t) => {
  const o = office(t);
  const C2 = '203.0.113.200';
  checkIns(o, PC, C2, THU_1730, 20);
  const inc = o.incidents().find((i) => i.device.ip === PC && i.alerts.some((a) => a.kind === 'beacon'));
  if (!inc) return t.fail(`no beacon incident: ${JSON.stringify(o.incidents().map((i) => i.alerts.map((a) => a.kind)))}`);
  const beacon = inc.alerts.find((a) => a.kind === 'beacon');
  t.is(beacon?.remote?.ip, C2);
  t.true(Number(beacon?.evidence['score']) >= 0.9, `score ${String(beacon?.evidence['score'])}`);
  for (const k of ['tsScore', 'dsScore', 'histScore', 'durScore', 'connections', 'medianIntervalSeconds']) t.true(k in (beacon?.evidence ?? {}), `evidence has ${k}`);
  t.is(beacon?.evidence['medianIntervalSeconds'], 600);
  // Upstream hears the incident once per new kind of finding and per escalation, never per repeat.
  const lines = o.upstream(PC);
  t.true(lines.some((l) => l.includes(' beacon ')), lines.join('\n'));
  const news = lines.map((l) => {
    const sd = /\[utmIncident@32473 ([^\]]*)\]/.exec(l)?.[1] ?? '';
    return `${/kinds="([^"]*)"/.exec(sd)?.[1] ?? '?'} ${/severity="([^"]*)"/.exec(sd)?.[1] ?? '?'}`;
  });
  t.is(new Set(news).size, news.length, `every line tells something new: ${news.join(' | ')}`);
  t.true(lines.length <= 4, `at most open, one more kind and two escalations: ${lines.length}`);
  t.true(lines.every((l) => l.includes(`[utmIncident@32473 id="${inc.id}"`)));
  t.true(o.pageIds().includes(inc.id));
  t.is(o.incidents().filter((i) => i.device.ip === PC).length, 1, 'one incident for the PC');
});

test('long connection (was integration longConnection.test): an open connection listed past the threshold is reported while still open', (t) => {
  const o = office(t);
  const REMOTE = '192.0.2.150';
  // Ordinary traffic first, from another PC: the detector has watched the office for a while.
  for (let i = 0; i < 12; i++) o.ended({ src: PC2, dst: '198.51.100.9', dport: 443, start: THU_1730 + i * 10 * MIN, end: THU_1730 + i * 10 * MIN + 2000, ob: 2000, rb: 9000 });
  // conntrack v1.4.7 `-L -o extended,id,ktimestamp`, as the kernel lists a connection held open `age` seconds.
  const line = (age: number, bytes: number): string => `ipv4     2 tcp      6 431998 ESTABLISHED src=${PC} dst=${REMOTE} sport=60636 dport=8443 packets=${bytes / 50} bytes=${bytes} `
    + `src=${REMOTE} dst=${PC} sport=8443 dport=60636 packets=20 bytes=1040 [ASSURED] mark=0 delta-time=${age} [start=Thu Nov 26 14:50:39 2026] use=1 id=1593246091`;
  const opened = THU_1730 + 2 * H;
  o.listed(line(30 * 60, 5000), opened + 30 * MIN);
  t.false(o.incidents().some((i) => i.alerts.some((a) => a.kind === 'long_connection')), 'half an hour open is not long');
  o.listed(line(90 * 60, 15000), opened + 90 * MIN);
  const inc = o.incidents().find((i) => i.device.ip === PC && i.alerts.some((a) => a.kind === 'long_connection'));
  const a = inc?.alerts.find((x) => x.kind === 'long_connection');
  t.is(a?.remote?.ip, REMOTE);
  t.is(a?.evidence['stillOpen'], true, 'found by the conntrack listing, not at the end');
  t.true(Number(a?.evidence['durationHours']) >= 1, `durationHours ${String(a?.evidence['durationHours'])}`);
  t.true(o.pageIds().includes(inc?.id ?? -1));
});

test('upload (was integration upload.test): 200 MB at night from a quiet PC is one hourly upload incident; in business hours it is not', (t) => {
  const o = office(t);
  const CLOUD = '198.51.100.77';
  const BYTES = 200_000_000;
  const sent = Math.round(BYTES * 1.03); // payload plus IP and TCP headers, as the kernel counts
  // The quiet PC is seen once (a small request) on Thursday at 17:30, which starts its baseline.
  o.ended({ src: PC, dst: CLOUD, dport: 443, start: THU_1730, end: THU_1730 + 500, ob: 2000, rb: 1000 });
  // Negative: another PC's 200 MB ending at the top of Friday's working day (08:00) is under the 2 GB business floor.
  const fri0800 = THU_1730 + 14.5 * H;
  o.ended({ src: PC2, dst: CLOUD, dport: 443, start: fri0800, end: fri0800 + 40_000, ob: sent, rb: 2_000_000 });
  // By Saturday 06:00 the quiet PC has 24 off-hours of (silent) baseline: Thu 19–24, Fri 0–8, Fri 19–24, Sat 0–6.
  const sat0600 = THU_1730 + 36.5 * H;
  o.ended({ src: PC, dst: CLOUD, dport: 443, start: sat0600, end: sat0600 + 40_000, ob: sent, rb: 2_000_000 });

  const inc = o.incidents().find((i) => i.device.ip === PC && i.alerts.some((a) => a.kind === 'upload'));
  const ups = inc?.alerts.filter((a) => a.kind === 'upload') ?? [];
  t.is(ups.length, 1);
  const ev = ups[0]?.evidence ?? {};
  t.is(ups[0]?.remote?.ip, CLOUD);
  t.is(ev['pattern'], 'hourly', JSON.stringify(ev));
  t.is(ev['businessHours'], false);
  t.is(ev['coldStart'], false);
  t.true(Number(ev['baselineHours']) >= 24, `baselineHours ${String(ev['baselineHours'])}`);
  t.true(Number(ev['z']) >= 8, `z ${String(ev['z'])}`);
  t.true(Number(ev['hourBytesOut']) >= BYTES, `hourBytesOut ${String(ev['hourBytesOut'])}`);
  t.true(Number(ev['hourBytesOut']) < 500_000_000, 'below the single-flow floor: the hourly pattern decided');
  const all = o.incidents();
  t.is(all.filter((i) => i.device.ip === PC).length, 1, 'one incident for the quiet PC');
  t.false(all.some((i) => i.device.ip === PC2 && i.alerts.some((a) => a.kind === 'upload')), 'no upload alert for the business-hours upload');
  // Upstream: one upload message, and every message about the PC names its one incident.
  const lines = o.upstream(PC);
  t.is(lines.filter((l) => l.includes(' upload ')).length, 1, lines.join('\n'));
  t.true(lines.every((l) => l.includes(`[utmIncident@32473 id="${inc?.id ?? -1}"`)), lines.join('\n'));
  t.true(o.pageIds().includes(inc?.id ?? -1));
});

test('DNS names (was integration dnsNames.test, bridge): a beacon to a controller named by a trusted resolver carries the name in evidence, params and utmctl', (t) => {
  const RESOLVER = '192.0.2.53', ROGUE = '192.0.2.54';
  const o = office(t, { dnsNames: { trustedServers: [RESOLVER] } });
  const C2 = '203.0.113.201', C2_NAME = 'c2.example', ROGUE_IP = '203.0.113.202';
  // The malware looks its controller up every hour (names are held 3 hours after the last answer).
  checkIns(o, PC, C2, THU_1730, 20, 10 * MIN, 4, (at) => {
    if ((at - THU_1730) % H === 0) {
      o.feature.onDnsAnswer(answerFor(C2_NAME, [C2], { ttl: 60 }), PC, at - 1000, RESOLVER);
      o.feature.onDnsAnswer(answerFor('client.wns.notify.windows.com', [ROGUE_IP], { ttl: 60 }), PC, at - 1000, ROGUE);
    }
  });
  const beacon = o.incidents().flatMap((i) => i.alerts).find((a) => a.kind === 'beacon');
  t.is(beacon?.remote?.ip, C2);
  t.is(beacon?.evidence['remoteName'], C2_NAME);
  t.is(beacon?.params['remoteName'], C2_NAME);
  t.true(o.incidentsText().includes(`remote ${C2} (${C2_NAME})`), o.incidentsText());
  const names = o.feature.handlers()['traffic.names']!;
  t.deepEqual((names({ ip: ROGUE_IP }) as { names: unknown[] }).names, [], 'an untrusted answer names nothing');
});

test('DNS names (was integration dnsNames.test, router): the box\'s own answers name an IPv6 controller; its beacon carries the name', (t) => {
  const o = office(t);
  const C2_V6 = '2001:db8:66::201', C2_NAME = 'c2.example';
  const PC6 = '2001:db8:77::101';
  checkIns(o, PC6, C2_V6, THU_1730, 20, 10 * MIN, 6, (at) => {
    // The box's dnsmasq answered: trusted with no configuration.
    if ((at - THU_1730) % H === 0) o.feature.onDnsAnswer(answerFor(C2_NAME, [C2_V6], { ttl: 60 }), PC6, at - 1000, BOX);
  });
  const beacon = o.incidents().flatMap((i) => i.alerts).find((a) => a.kind === 'beacon');
  t.is(beacon?.remote?.ip, C2_V6);
  t.is(beacon?.evidence['remoteName'], C2_NAME);
});
