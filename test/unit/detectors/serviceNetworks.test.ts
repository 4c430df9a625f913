// "A well-known service" by network, and one device keeping several persistent rare channels
// (issue 15): a web-port check-in to a network a large operator publishes only adds to an incident,
// unless the device also keeps several persistent channels outside those networks (an implant's
// controller and fallbacks), whose channels are then judged at RITA's "low" threshold (0.7).
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { compileServiceNetworks, ServiceNetworksError, type OperatorOf } from '../../../firmware/src/detectors/serviceNetworks.js';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';
import { DAY0, MIN, periodic, thresholds } from './helpers.js';
import { OPERATOR_OF } from './corpus.js';

const SHIPPED = JSON.parse(readFileSync(new URL('../../../rules/service-networks.json', import.meta.url), 'utf8')) as { operators: Array<{ name: string; source: string[] }> };

test('the shipped operator networks: Amazon, Microsoft, Google, Apple, each with its source; the box\'s own test ranges are no one\'s', (t) => {
  t.deepEqual(SHIPPED.operators.map((o) => o.name), ['amazon', 'microsoft', 'google', 'apple']);
  t.true(SHIPPED.operators.every((o) => o.source.length > 0 && o.source.every((s) => s.length > 20)));
  // Benign check-ins of CTU-50 (Azure, AWS), a Teams address, a Google and an Apple address.
  t.is(OPERATOR_OF('20.54.24.231'), 'microsoft');
  t.is(OPERATOR_OF('52.112.238.56'), 'microsoft');
  t.is(OPERATOR_OF('34.225.190.52'), 'amazon');
  t.is(OPERATOR_OF('8.8.8.8'), 'google');
  t.is(OPERATOR_OF('17.253.144.10'), 'apple');
  // A labelled C2 server on EC2 (CTU-Malware-Capture-Botnet-67-1): anyone can rent an address there.
  t.is(OPERATOR_OF('54.81.32.208'), 'amazon');
  t.is(OPERATOR_OF('2600:1f18::1'), 'amazon', 'IPv6 too');
  for (const ip of ['203.0.113.5', '198.51.100.7', '2001:db8::1', '109.74.9.119', 'not an address']) t.is(OPERATOR_OF(ip), undefined, ip);
});

test('a bad operator list is refused whole', (t) => {
  t.throws(() => compileServiceNetworks({ version: 1, operators: [{ name: 'x', source: ['s'], prefixes: ['999.0.0.0/8'] }] }), { instanceOf: ServiceNetworksError });
  t.throws(() => compileServiceNetworks({ version: 1, operators: [{ name: 'x', source: [], prefixes: ['192.0.2.0/24'] }] }), { instanceOf: ServiceNetworksError });
  t.throws(() => compileServiceNetworks({ version: 2, operators: [] }), { instanceOf: ServiceNetworksError });
});

// A documentation network and one IPv6 /48 play the operator's; 192.0.2.0/24 and 2001:db8:2::/48 are
// small hosters' networks.
const OPS = compileServiceNetworks({ version: 1, operators: [{ name: 'example-cloud', source: ['test'], prefixes: ['198.51.100.0/24', '2001:db8:1::/48'] }] });
const make = (operatorOf: OperatorOf | null = OPS) => new DetectorSet({ thresholds: thresholds(), listed: () => undefined, operatorOf: operatorOf ?? undefined });
/** Four more office devices, each browsing once an hour somewhere of its own (rarity needs an office: beacon.channels.minOfficeDevices). */
const office = (): FlowRecord[] => [1, 2, 3, 4].flatMap((i) => periodic({ every: 60 * MIN, hours: 72, seed: i, over: { deviceIp: `192.168.1.${20 + i}`, deviceMac: `02:00:00:00:00:${20 + i}`, remoteIp: `2001:db8:f${i}::1`, family: 6, remotePort: 80 } }));
const feed = (d: DetectorSet, flows: FlowRecord[], withOffice = true): Finding[] => [...flows, ...(withOffice ? office() : [])].sort((a, b) => a.end - b.end).flatMap((f) => d.onFlow(f))
  .filter((f) => f.kind === 'beacon' && f.device?.ip === '192.168.1.10');
/** A clockwork check-in every 15 minutes, all day (score ≥ 0.9). */
const clockwork = (ip: string, port = 443): FlowRecord[] =>
  periodic({ every: 15 * MIN, jitter: 2000, hours: 24, seed: 7, over: { remoteIp: ip, remotePort: port, family: ip.includes(':') ? 6 : 4 } });
/** A check-in every ~10 minutes all day, irregular in time and size: RITA scores it about 0.8. */
const irregular = (ip: string): FlowRecord[] =>
  periodic({ every: 10 * MIN, jitter: 9 * MIN, hours: 24, bytes: 600, bytesJitter: 580, seed: 3, over: { remoteIp: ip } });

test('a web-port check-in to an operator\'s network alone only adds to an incident; on another port it stands alone', (t) => {
  const web = feed(make(), clockwork('198.51.100.10'));
  t.true(web.length > 0, 'still scored and found');
  t.true(web.every((f) => f.corroborating === true && f.evidence['serviceOperator'] === 'example-cloud'));
  const other = feed(make(), clockwork('198.51.100.10', 8443));
  t.true(other.length > 0 && other.every((f) => f.corroborating !== true && f.evidence['serviceOperator'] === 'example-cloud'));
  const v6 = feed(make(), clockwork('2001:db8:1::10'));
  t.true(v6.length > 0 && v6.every((f) => f.corroborating === true), 'an IPv6 network of the operator');
  const elsewhere = feed(make(), clockwork('203.0.113.10'));
  t.true(elsewhere.length > 0 && elsewhere.every((f) => f.corroborating !== true && f.evidence['serviceOperator'] === undefined));
  const without = feed(make(null), clockwork('198.51.100.10'));
  t.true(without.length > 0 && without.every((f) => f.corroborating !== true), 'without the list, nothing is weakened');
});

test('a device keeping several persistent rare channels outside operator networks: its channels are judged at 0.7, cloud ones stand alone', (t) => {
  // Alone, the irregular check-in scores about 0.8: under the 0.9 threshold.
  t.deepEqual(feed(make(), irregular('203.0.113.9')), []);
  // With two clockwork channels to small hosters' networks (192.0.2.0/24, 2001:db8:2::/48) on the
  // same device (the irregular one is a persistent rare channel too: three).
  const implant = feed(make(), [...irregular('203.0.113.9'), ...clockwork('192.0.2.10'), ...clockwork('2001:db8:2::10')]);
  const weak = implant.filter((f) => f.remote?.ip === '203.0.113.9');
  t.true(weak.length > 0, 'the irregular channel is found');
  t.true(weak.every((f) => Number(f.evidence['score']) >= 0.7 && Number(f.evidence['score']) < 0.9 && f.evidence['scoreThreshold'] === 0.7));
  t.true(weak.some((f) => f.evidence['persistentRareChannels'] === 3));
  // An implant's fallback on a cloud address is not weakened by the cloud.
  const cloud = feed(make(), [...clockwork('198.51.100.10'), ...clockwork('192.0.2.10'), ...clockwork('2001:db8:2::10')]).filter((f) => f.remote?.ip === '198.51.100.10');
  t.true(cloud.length > 0 && cloud.some((f) => f.corroborating !== true), 'the cloud channel of a device keeping several stands alone');
  // An office of one device: everything it uses is rare, so nothing counts as a rare channel.
  t.deepEqual(feed(make(), [...irregular('203.0.113.9'), ...clockwork('192.0.2.10'), ...clockwork('2001:db8:2::10')], false).filter((f) => f.remote?.ip === '203.0.113.9'), []);
});

test('persistent channels inside operator networks, or two addresses of one network, do not make a device keep several', (t) => {
  // A benign PC's telemetry and sync to Azure and AWS: two persistent rare channels, both in operator networks.
  const pc = feed(make(), [...irregular('203.0.113.9'), ...clockwork('198.51.100.10'), ...clockwork('2001:db8:1::10')]);
  t.deepEqual(pc.filter((f) => f.remote?.ip === '203.0.113.9'), []);
  t.true(pc.filter((f) => f.remote?.ip !== '203.0.113.9').every((f) => f.corroborating === true));
  // One service answering from several addresses of one /24 is one channel (Dropbox's t8.dropbox.com
  // on 162.125.19.9 and .130 in CTU-Normal-40).
  const sync = feed(make(), [...irregular('203.0.113.9'), ...clockwork('203.0.113.10'), ...clockwork('203.0.113.11')]);
  t.deepEqual(sync.filter((f) => f.remote?.ip === '203.0.113.9'), []);
  t.true(sync.every((f) => Number(f.evidence['persistentRareChannels']) <= 1) && sync.some((f) => f.evidence['persistentRareChannels'] === 1));
  // Two networks are two channels: the irregular one and one more make several.
  t.true(feed(make(), [...irregular('203.0.113.9'), ...clockwork('192.0.2.10')]).some((f) => f.remote?.ip === '203.0.113.9'));
});

test('a device keeping several persistent rare channels: its check-in used day after day is not demoted to routine', (t) => {
  const D = 24 * 60 * MIN;
  /** The device used 203.0.113.0/24 on two earlier days (browsing just after midnight), then checks in all day. */
  const days = (ip: string) => [0, 1].flatMap((day) => periodic({ every: MIN, hours: 0.05, seed: day, from: DAY0 + day * D + 10 * MIN, over: { remoteIp: ip } }));
  const onDay2 = (flows: FlowRecord[]) => flows.map((f) => ({ ...f, start: f.start + 2 * D, end: f.end + 2 * D }));
  const routineOnly = feed(make(), [...days('203.0.113.66'), ...onDay2(clockwork('203.0.113.66'))]);
  t.true(routineOnly.length > 0 && routineOnly.every((f) => f.corroborating === true), 'alone: routine');
  const implant = feed(make(), [...days('203.0.113.66'), ...onDay2([...clockwork('203.0.113.66'), ...clockwork('192.0.2.10'), ...clockwork('2001:db8:2::10')])])
    .filter((f) => f.remote?.ip === '203.0.113.66');
  t.true(implant.some((f) => f.corroborating !== true && Number(f.evidence['destinationEarlierDaysUsed']) === 2), 'with two more channels it stands alone');
});

test('the scope of a reported implant: its other rare channels the method can see are found however irregular, and nowhere else', (t) => {
  const HOUR = 60 * MIN;
  /** A fallback used for one night: ~80 connections over 8 hours, irregular in time and size (scores well under 0.7). */
  const fallback = (ip: string, hours = 8): FlowRecord[] =>
    periodic({ every: 6 * MIN, jitter: 5 * MIN, hours, bytes: 5000, bytesJitter: 4900, seed: 5, from: DAY0 + 21 * HOUR, over: { remoteIp: ip } });
  /** The implant's controller and a fallback on small hosters' networks, clockwork all day and night. */
  const controllers = (): FlowRecord[] => [
    ...periodic({ every: 15 * MIN, jitter: 2000, hours: 30, seed: 7, over: { remoteIp: '192.0.2.10' } }),
    ...periodic({ every: 15 * MIN, jitter: 2000, hours: 30, seed: 8, over: { remoteIp: '2001:db8:2::10', family: 6 } }),
  ];
  const at = (fs: Finding[], ip: string): Finding[] => fs.filter((f) => f.remote?.ip === ip);

  t.deepEqual(feed(make(), fallback('203.0.113.77')), [], 'alone, the night fallback is no beacon');
  const implant = feed(make(), [...controllers(), ...fallback('203.0.113.77')]);
  t.true(at(implant, '192.0.2.10').length > 0, 'the controllers are reported first');
  const scoped = at(implant, '203.0.113.77');
  t.true(scoped.length > 0, 'the fallback of a reported implant is found');
  for (const f of scoped) {
    t.true(Number(f.evidence['score']) < 0.7, `scored as it is (${String(f.evidence['score'])}), not made up`);
    t.is(f.evidence['scoreThreshold'], 0);
    t.is(f.params['deviceRareChannels'], 2, 'the two channels the device keeps');
    t.true(Number(f.params['activeHours']) >= 6 && Number(f.params['activeHours']) <= 9, 'the hours it was used in, as seen');
    t.true(Number(f.evidence['deviceReportedHoursAgo']) >= 0 && Number(f.evidence['deviceReportedHoursAgo']) <= 24);
    t.not(f.corroborating, true, 'it stands alone');
  }

  // Not: a network a large operator publishes; a network another office device uses; fewer hours
  // than the method needs to see anything; a device never reported.
  t.deepEqual(at(feed(make(), [...controllers(), ...fallback('198.51.100.77')]), '198.51.100.77'), [], 'an operator network');
  const neighbour = periodic({ every: 60 * MIN, hours: 30, seed: 9, over: { deviceIp: '192.168.1.30', deviceMac: '02:00:00:00:00:30', remoteIp: '203.0.113.5' } });
  t.deepEqual(at(feed(make(), [...controllers(), ...fallback('203.0.113.77'), ...neighbour]), '203.0.113.77'), [], 'a network another office device uses');
  t.deepEqual(at(feed(make(), [...controllers(), ...fallback('203.0.113.77', 4)]), '203.0.113.77'), [], 'four hours: too short to see');
  const cloudOnly = [
    ...periodic({ every: 15 * MIN, jitter: 2000, hours: 30, seed: 7, over: { remoteIp: '198.51.100.10' } }),
    ...periodic({ every: 15 * MIN, jitter: 2000, hours: 30, seed: 8, over: { remoteIp: '2001:db8:1::10', family: 6 } }),
  ];
  t.deepEqual(at(feed(make(), [...cloudOnly, ...fallback('203.0.113.77')]), '203.0.113.77'), [], 'a PC whose persistent channels are telemetry in operator networks');
});
