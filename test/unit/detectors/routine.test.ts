// A device's routine destinations (issue 15): a web-port check-in to a network the device has
// used day after day is evidence against a beacon (RITA v5's first-seen modifier), stated in the
// evidence exactly as it happened, kept across a restart; a new destination or another port is not.
import test from 'ava';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { DestinationRoutine } from '../../../firmware/src/detectors/routine.js';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';
import { DAY0, flow, H, MIN, periodic, thresholds } from './helpers.js';

const D = 24 * H;
const make = () => new DetectorSet({ thresholds: thresholds(), listed: () => undefined });
const feed = (d: DetectorSet, flows: FlowRecord[]): Finding[] => [...flows].sort((a, b) => a.end - b.end).flatMap((f) => d.onFlow(f));
/** A few browsing flows from the device to `ip` at 10:00 JST on office day `day` (DAY0 is day 0, 00:00 JST). */
const visit = (ip: string, day: number, port = 443): FlowRecord[] => [0, 1, 2].map((k) => flow({ remoteIp: ip, remotePort: port, start: DAY0 + day * D + 10 * H + k * MIN }));
/** A 30-minute check-in all of office day `day`. */
const checkIn = (ip: string, day: number, port = 443): FlowRecord[] =>
  periodic({ every: 30 * MIN, jitter: 2000, hours: 24, seed: day + 1, from: DAY0 + day * D, over: { remoteIp: ip, remotePort: port } });

test('office days are counted in the office\'s time zone, per network (/24), today left out; first use in hours', (t) => {
  const r = new DestinationRoutine(100, 540);
  const seen = (ip: string, at: number) => r.note(flow({ remoteIp: ip, start: at, end: at + 1000 }), 'pc');
  seen('203.0.113.5', DAY0 - 30 * MIN); // 23:30 JST the evening before DAY0: office day -1
  seen('203.0.113.77', DAY0 + 2 * D + 9 * H); // another address of the same /24, day 2
  seen('203.0.113.5', DAY0 + 3 * D + 9 * H); // day 3 ("today")
  t.deepEqual(r.evidence('pc', '203.0.113.200', DAY0 + 3 * D + 12 * H), { firstSeenHoursAgo: 84, earlierDaysUsed: 2, deviceSeenHoursBefore: 0 });
  t.is(r.evidence('pc', '203.0.114.5', DAY0 + 3 * D), undefined, 'another /24 is another destination');
  seen('203.0.114.5', DAY0 + 3 * D + 10 * H);
  t.is(r.evidence('pc', '203.0.114.5', DAY0 + 3 * D + 11 * H)?.deviceSeenHoursBefore, 82, 'the box had seen the device 82 h before it used this network');
  t.is(r.evidence('other-pc', '203.0.113.5', DAY0 + 3 * D), undefined, 'another device has its own routine');
  // Inbound flows are not the device using a destination.
  r.note(flow({ direction: 'inbound', remoteIp: '198.51.100.9', start: DAY0 }), 'pc');
  t.is(r.evidence('pc', '198.51.100.9', DAY0 + D), undefined);
});

test('a flow that ends late is still counted on the day it started; a month-old routine is forgotten', (t) => {
  const r = new DestinationRoutine(100, 540);
  r.note(flow({ remoteIp: '203.0.113.5', start: DAY0 + 2 * D }), 'pc');
  r.note(flow({ remoteIp: '203.0.113.5', start: DAY0 + D, end: DAY0 + 2 * D + H }), 'pc'); // day 1, ended on day 2
  t.deepEqual(r.evidence('pc', '203.0.113.5', DAY0 + 3 * D), { firstSeenHoursAgo: 48, earlierDaysUsed: 2, deviceSeenHoursBefore: 0 });
  r.evict(DAY0 + 40 * D);
  t.is(r.size(), 0);
});

test('a web check-in to a network the device used on two earlier days, first 48 h ago or more, only adds to an incident; its evidence says so', (t) => {
  const d = make();
  const found = feed(d, [...visit('198.51.100.66', 0), ...visit('198.51.100.7', 1), ...checkIn('198.51.100.66', 2)]).filter((f) => f.kind === 'beacon');
  t.true(found.length > 0, 'still scored and found');
  t.true(found.every((f) => f.corroborating === true));
  const first = found[0]?.evidence['destinationFirstSeenHoursAgo'];
  t.true(typeof first === 'number' && first >= 48 && first === Math.floor(((found[0]?.at ?? 0) - (DAY0 + 10 * H)) / H), 'hours since the first visit, at 10:00 on day 0');
  t.is(found[0]?.evidence['destinationEarlierDaysUsed'], 2);
});

test('the same check-in stands alone: to a new network, after one earlier day only, or on another port', (t) => {
  const alone = (flows: FlowRecord[]) => feed(make(), flows).filter((f) => f.kind === 'beacon');
  const fresh = alone([...visit('198.51.100.66', 0), ...visit('198.51.100.7', 1), ...checkIn('203.0.113.66', 2)]);
  t.true(fresh.length > 0 && fresh.every((f) => f.corroborating !== true));
  t.true(Number(fresh[0]?.evidence['destinationFirstSeenHoursAgo']) < 24, 'new today: what happened, not a guess');
  t.is(fresh[0]?.evidence['destinationEarlierDaysUsed'], 0);
  t.is(fresh[0]?.evidence['scoreThreshold'], 0.9, 'the box knew the device for two days, but the 48 h before the destination were not all watched');
  t.is(fresh[0]?.evidence['devicesUsingNetworkOrName'], 1, 'only this device used 203.0.113.0/24');
  const oneDay = alone([...visit('198.51.100.66', 1), ...checkIn('198.51.100.66', 2)]);
  t.true(oneDay.length > 0 && oneDay.every((f) => f.corroborating !== true));
  t.is(oneDay[0]?.evidence['destinationEarlierDaysUsed'], 1);
  // Two earlier office days, but the first of them in its last half hour: not yet 48 h of use.
  const lateStart = alone([...visit('198.51.100.66', 0).map((f) => ({ ...f, start: DAY0 + D - 10 * MIN, end: DAY0 + D - 9 * MIN })), ...visit('198.51.100.66', 1), ...checkIn('198.51.100.66', 2).filter((f) => f.start < DAY0 + 2 * D + 20 * H)]);
  t.true(lateStart.length > 0 && lateStart.every((f) => f.corroborating !== true));
  const otherPort = alone([...visit('198.51.100.66', 0, 8443), ...visit('198.51.100.66', 1, 8443), ...checkIn('198.51.100.66', 2, 8443)]);
  t.true(otherPort.length > 0 && otherPort.every((f) => f.corroborating !== true));
  t.is(otherPort[0]?.evidence['destinationEarlierDaysUsed'], 2, 'stated, but routine is only weighed on web ports');
});

test('the routine survives a restart (kept in the window snapshot); an older snapshot without it still loads', (t) => {
  const first = make();
  feed(first, [...visit('198.51.100.66', 0), ...visit('198.51.100.66', 1)]);
  const kept = JSON.parse(JSON.stringify(first.snapshot(DAY0 + 2 * D))) as { version: 1; beacon: unknown; routine?: unknown };
  const second = make();
  second.restore(kept);
  const found = feed(second, checkIn('198.51.100.66', 2)).filter((f) => f.kind === 'beacon');
  t.true(found.length > 0 && found.every((f) => f.corroborating === true), 'known as routine after the restart');
  const forgetful = make();
  forgetful.restore({ version: 1, beacon: kept.beacon });
  const again = feed(forgetful, checkIn('198.51.100.66', 2)).filter((f) => f.kind === 'beacon');
  t.true(again.length > 0 && again.every((f) => f.corroborating !== true), 'without the routine the same check-in stands alone');
  t.throws(() => make().restore({ ...kept, routine: [['k', 'x', 0, 0]] }), undefined, 'a damaged routine is refused whole');
});

test('a destination new for a device the box already knew needs 0.15 less score (RITA\'s first-seen modifier); the same on a device first seen that day does not', (t) => {
  // A 20-minute check-in with ±18 minutes and ±1000 bytes of jitter scores 0.79-0.86 all day: under 0.9.
  const irregular = (day: number) => periodic({ every: 20 * MIN, jitter: 18 * MIN, hours: 24, bytes: 2000, bytesJitter: 1000, seed: 3, from: DAY0 + day * D, over: { remoteIp: '203.0.113.66' } });
  const known = feed(make(), [...visit('198.51.100.7', 0), ...visit('198.51.100.7', 1), ...visit('198.51.100.7', 2), ...irregular(3)]).filter((f) => f.kind === 'beacon');
  t.true(known.length > 0, 'found on a device watched for three days');
  const s = Number(known[0]?.evidence['score']);
  t.true(s >= 0.75 && s < 0.9, `score ${s} between the two thresholds`);
  t.is(known[0]?.evidence['scoreThreshold'], 0.75);
  t.true(Number(known[0]?.evidence['deviceSeenHoursBeforeDestination']) >= 48, 'seen since 10:00 on day 0, destination new at 00:00 on day 3');
  t.not(known[0]?.corroborating, true);
  const unknown = feed(make(), [...visit('198.51.100.7', 3), ...irregular(3)]).filter((f) => f.kind === 'beacon');
  t.deepEqual(unknown, [], 'a device the box met that day: new for the box, not known to be new for the device');
});
