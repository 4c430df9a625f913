// The detectors and the alert pipeline on real, labelled traffic no one here wrote (issue 15):
// four benign office PCs over a whole day each (Stratosphere CTU-Normal-40/42/43/44, replayed as
// one office day), an Nmap scanning client and an Android RAT. Sources and licences:
// test/fixtures/traffic/SOURCES.md. Direction and bytes are always the office device's.
import test from 'ava';
import { readConnLog, readNames, replay, shiftTo, type LabelledFlow } from './corpus.js';

const PCS = [['008', '147.32.81.167'], ['010', '147.32.83.234'], ['011', '147.32.83.165'], ['012', '147.32.83.161']] as const;
const T0 = Date.UTC(2026, 10, 24, 23, 0, 0); // Wednesday 08:00 JST
const names = new Map<string, string>();
const office: LabelledFlow[][] = PCS.map(([d, ip], i) => {
  for (const [k, v] of readNames(`stratosphere/${d}-sni.tsv.gz`)) names.set(k, v);
  return shiftTo(readConnLog(`stratosphere/${d}-conn.log.gz`, ip, `02:00:00:00:01:0${i}`), T0);
});
const nameOf = (ip: string): string | undefined => names.get(ip);
const pcDays = office.length; // each capture is one PC's whole day

// Measured 2026-12-02 with the shipped thresholds: 0 alerts for 4 PC-days (was 4: Windows push to
// an address no one looked up, in the /24 where another PC looked up client.wns.windows.com; Jitsi's
// video bridge on its media port 10000/udp while the PC used jitsi.net; Spotify's access point on
// 4070/tcp while the PC used spotify.com). This bound only stops it getting worse.
const MEASURED_FALSE_ALERTS = 0;

test('four benign PCs for a day: false alerts after the pipeline, and what counts against them', (t) => {
  const { alerts } = replay(office.flat().map((x) => x.flow), nameOf);
  const perPcDay = alerts.length / pcDays;
  t.log(`false alerts: ${alerts.length} for ${pcDays} PC-days = ${perPcDay.toFixed(2)} per PC per day (target 0.1)`);
  for (const a of alerts) t.log(`  ${a.kind} ${a.device.ip} → ${a.remote?.ip}:${a.remote?.port} ${remoteName(a)}`);
  t.true(alerts.length <= MEASURED_FALSE_ALERTS, `no worse than measured (${alerts.length} > ${MEASURED_FALSE_ALERTS})`);
  // A well-known service by name (Delivery Optimization every 900 s, *.do.dsp.mp.microsoft.com) and
  // by network (ESET's AS50881, MQTT on 8883 every 300 s) is not a beacon.
  t.false(alerts.some((a) => a.kind === 'beacon' && /dsp\.mp\.microsoft\.com$/.test(remoteName(a))));
  t.false(alerts.some((a) => a.remote?.ip.startsWith('91.228.167.') || a.remote?.ip.startsWith('38.90.226.')));
  // Widely used by the office, by name: Slack's websocket servers answer from many addresses.
  t.false(alerts.some((a) => remoteName(a).endsWith('slack.com')), 'Slack used by 3 of 4 PCs');
  // Direction is the office device's: inbound attacks on these PCs are never counted as their traffic.
  t.true(alerts.every((a) => a.direction !== 'inbound'));
});

test('the same PCs each alone: the office makes Slack popular, one PC cannot', (t) => {
  // Findings (before the pipeline): what the detectors themselves conclude.
  const alone = office.map((pc) => replay(pc.map((x) => x.flow), nameOf).findings);
  const together = replay(office.flat().map((x) => x.flow), nameOf).findings;
  t.log(`findings alone: ${alone.join(' + ')} = ${alone.reduce((a, b) => a + b, 0)}; as one office: ${together}`);
  t.true(together < alone.reduce((a, b) => a + b, 0));
});

test('an Nmap client scanning three office networks is found, with the office-side direction', (t) => {
  const scan = readConnLog('stratosphere/002-conn.log.gz', '172.16.1.11');
  const { alerts } = replay(scan.map((x) => x.flow));
  const scans = alerts.filter((a) => a.kind === 'scan');
  t.true(scans.some((a) => a.direction === 'lan' && a.params['pattern'] === 'hosts'), 'address sweep');
  t.true(scans.some((a) => a.direction === 'lan' && a.params['pattern'] === 'ports'), 'port scan');
  t.true(alerts.every((a) => a.device.ip === '172.16.1.11'), 'only the scanner is named');
});

test('a vertical Nmap scan of an internet host (Slips\' port-scans/vertical) is found, outbound', (t) => {
  // 50 ports of scanme.nmap.org (45.33.32.156) within a second, 46 refused or reset.
  const scan = readConnLog('slips/vertical-scan-conn.log.gz', '192.168.1.9');
  t.is(scan.length, 50);
  const { alerts } = replay(scan.map((x) => x.flow));
  t.true(alerts.some((a) => a.kind === 'scan' && a.direction === 'outbound' && a.params['pattern'] === 'ports' && a.remote?.ip === '45.33.32.156'));
});

test('an Android RAT: its exfiltration to the controller on 1337/tcp is found as an upload', (t) => {
  // AndroidTester's 12 connections to its controller on 1337/tcp carried 42 MB out in five minutes
  // (18:36–18:41 office time), with almost nothing back. Too few connections for a beacon score
  // (24), none open an hour, under the web-upload floors (2 GB an hour in business hours); but
  // one-way to a port other than 80/443 of an address no other device uses, which on 54 benign
  // PC-days never passed 6 MB in an hour (the 20 MB floor, upload.hourlyFloorBytesOtherPorts).
  const rat = readConnLog('stratosphere/003-conn.log.gz', '10.8.0.61');
  const c2 = rat.filter((x) => x.flow.remotePort === 1337);
  t.is(c2.length, 12);
  t.is(c2.reduce((s, x) => s + x.flow.bytesOut, 0), 41_968_113);
  const alerts = replay(rat.map((x) => x.flow)).alerts;
  t.deepEqual(alerts.map((a) => a.kind), ['upload']);
  t.is(alerts[0]?.remote?.port, 1337);
  t.true(Number(alerts[0]?.evidence['otherPortsBytesOut']) >= 20e6);
});

/** The name the DNS sensor gave the remote, or ''. */
function remoteName(a: { evidence: Record<string, unknown> }): string {
  const n = a.evidence['remoteName'];
  return typeof n === 'string' ? n : '';
}
