// Window state survives a restart (issue 15): a restart at 14:00 used to blind beacon detection
// for the rest of the day. The detector set's snapshot goes through JSON (as the state file does).
import test from 'ava';
import type { Finding } from '../../../firmware/src/alerts/types.js';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { NameCache } from '../../../firmware/src/dns/names.js';
import { OfficeNames, OfficeNamesSnapshotSchema } from '../../../firmware/src/detectors/officeNames.js';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';
import { DAY0, flow, H, periodic, thresholds } from './helpers.js';

const make = () => new DetectorSet({ thresholds: thresholds(), listed: () => undefined });
const feed = (d: DetectorSet, flows: FlowRecord[]): Finding[] => flows.sort((a, b) => a.end - b.end).flatMap((f) => d.onFlow(f));
// A 30-minute beacon from 06:00 to 22:00 (event time), split at a 14:00 restart: it has the 24
// connections a score needs only at 18:00, which a box that forgot the morning never reaches that day.
const beacon = periodic({ every: 30 * 60_000, jitter: 5_000, hours: 16, seed: 5, from: DAY0 + 6 * H, over: { remoteIp: '203.0.113.77' } });
const before = beacon.filter((f) => f.end < DAY0 + 14 * H);
const after = beacon.filter((f) => f.end >= DAY0 + 14 * H);

test('a beacon is still found the same day after a restart at 14:00, because the window was kept', (t) => {
  const first = make();
  t.deepEqual(feed(first, before).filter((f) => f.kind === 'beacon'), [], 'not yet by 14:00');
  const kept = JSON.parse(JSON.stringify(first.snapshot(DAY0 + 14 * H))) as unknown;
  const second = make();
  second.restore(kept);
  const found = feed(second, after).filter((f) => f.kind === 'beacon');
  t.true(found.length > 0, 'found after the restart');
  t.true((found[0]!.params['connections'] as number) > after.length, 'counting the connections from before the restart');
});

test('without the kept window the restart blinds the detector for the day (what the fix changes)', (t) => {
  const fresh = make();
  t.deepEqual(feed(fresh, [...after]).filter((f) => f.kind === 'beacon'), []);
});

test('a damaged snapshot is refused whole, not half taken', (t) => {
  const d = make();
  t.throws(() => d.restore({ version: 1, beacon: { observedSince: 0, pairs: [['k', 'x', 0, null]] } }));
  t.throws(() => d.restore({ version: 2 }));
  t.deepEqual(d.snapshot(DAY0).beacon.pairs, []);
});

test('which devices use a network survives a restart: a beacon to a network three office devices use stays quiet after it', (t) => {
  // Three other PCs used 198.51.100.0/24 in the morning; at 14:00 the box restarts; from then on one
  // more PC checks in there every 30 minutes. Without the kept popularity it would be one device's rare beacon.
  const others = [1, 2, 3].map((i) => flow({ deviceIp: `192.168.1.${20 + i}`, deviceMac: `02:00:00:00:00:2${i}`, remoteIp: `198.51.100.${i}`, start: DAY0 + 9 * H }));
  const checkIn = periodic({ every: 30 * 60_000, jitter: 5_000, hours: 24, seed: 9, from: DAY0 + 14 * H, over: { remoteIp: '198.51.100.77' } });
  const first = make();
  feed(first, [...others, flow({ remoteIp: '203.0.113.1', start: DAY0 + 8 * H })]);
  const kept = JSON.parse(JSON.stringify(first.snapshot(DAY0 + 14 * H))) as { version: 1; beacon: unknown; popularity?: unknown };
  const second = make();
  second.restore(kept);
  t.deepEqual(feed(second, [...checkIn]).filter((f) => f.kind === 'beacon'), [], 'widely used by the office, also after the restart');
  const forgetful = make();
  forgetful.restore({ version: 1, beacon: kept.beacon });
  t.true(feed(forgetful, [...checkIn]).some((f) => f.kind === 'beacon'), 'without it, the same check-in is one device\'s beacon');
});

// The rest of the window (issue 15, second part): the same flows through one box that never
// restarts, through one that restarts at `at` with today's file, and through one that restarts with
// a file of the older kind (beacon pairs, routine and popularity only), which is what a restart cost before.
const OLD_PARTS = ['version', 'beacon', 'routine', 'popularity'];
function olderFile(kept: Record<string, unknown>): Record<string, unknown> {
  const { observedSince, pairs } = kept['beacon'] as { observedSince: unknown; pairs: unknown };
  return { ...Object.fromEntries(Object.entries(kept).filter(([k]) => OLD_PARTS.includes(k))), beacon: { observedSince, pairs } };
}
function threeBoxes(flows: FlowRecord[], at: number, mk: () => DetectorSet = make) {
  const sorted = [...flows].sort((a, b) => a.end - b.end);
  const before = sorted.filter((f) => f.end < at), after = sorted.filter((f) => f.end >= at);
  const steady = mk();
  feed(steady, before);
  const first = mk();
  feed(first, before);
  const kept = JSON.parse(JSON.stringify(first.snapshot(at))) as Record<string, unknown>;
  const restarted = mk();
  restarted.restore(kept);
  const older = mk();
  older.restore(olderFile(kept));
  return { kept, steady: feed(steady, [...after]), restarted: feed(restarted, [...after]), older: feed(older, [...after]) };
}

const MIN = 60_000;
/** Four more office devices, each browsing once an hour somewhere of its own (rarity needs an office of five). */
const office = (): FlowRecord[] => [1, 2, 3, 4].flatMap((i) => periodic({ every: 60 * MIN, hours: 24, seed: i, over: { deviceIp: `192.168.1.${20 + i}`, deviceMac: `02:00:00:00:00:${20 + i}`, remoteIp: `2001:db8:f${i}::1`, family: 6, remotePort: 80 } }));
/** A check-in every 15 minutes, all day; and one every ~10 minutes, irregular in time and size (RITA scores it about 0.8). */
const clockwork = (ip: string): FlowRecord[] => periodic({ every: 15 * MIN, jitter: 2000, hours: 24, seed: 7, over: { remoteIp: ip, family: ip.includes(':') ? 6 : 4 } });
const irregular = (ip: string): FlowRecord[] => periodic({ every: 10 * MIN, jitter: 9 * MIN, hours: 24, bytes: 600, bytesJitter: 580, seed: 3, over: { remoteIp: ip } });

test('a device keeping several persistent rare channels keeps them, and the lowered threshold, right after a restart', (t) => {
  // An implant: two clockwork channels to small hosters' networks and an irregular one, in an
  // office of five. The box restarts at 22:20; the next clockwork check-ins are due at 22:30.
  const at = DAY0 + 22 * H + 20 * MIN;
  const flows = [...irregular('203.0.113.9'), ...clockwork('192.0.2.10'), ...clockwork('2001:db8:2::10'), ...office()];
  const firstAfter = (kind: string) => flows.filter((f) => f.end >= at && (kind === 'irregular' ? f.remoteIp === '203.0.113.9' : f.remoteIp !== '203.0.113.9' && f.deviceIp === '192.168.1.10')).sort((a, b) => a.end - b.end)[0]!.end;
  t.true(firstAfter('irregular') < firstAfter('clockwork') && firstAfter('irregular') < at + 30 * MIN, 'the irregular channel checks in first after the restart');
  const { kept, steady, restarted, older } = threeBoxes(flows, at);
  const weak = (fs: Finding[]) => fs.filter((f) => f.kind === 'beacon' && f.remote?.ip === '203.0.113.9');
  const soon = (fs: Finding[]) => weak(fs).filter((f) => f.at < firstAfter('clockwork'));
  t.is((kept['beacon'] as { channels?: unknown[] }).channels?.length, 1, 'one device with channels is written');
  t.true(weak(steady).length > 0 && weak(steady).every((f) => f.evidence['persistentRareChannels'] === 3 && f.evidence['scoreThreshold'] === 0.7), 'without a restart: three channels, judged at 0.7');
  t.is(soon(restarted).length, 1, 'found at its first check-in after the restart');
  t.like(soon(restarted)[0]!.evidence, { persistentRareChannels: 3, scoreThreshold: 0.7 });
  t.true(Number(soon(restarted)[0]!.evidence['score']) < 0.9);
  t.deepEqual(soon(older), [], 'with the older file: no office of five yet and no other channel, so 0.9 is needed');
  // Each part on its own: the channels without the office count, the office count without the channels.
  const only = (drop: (s: Record<string, unknown>) => Record<string, unknown>) => {
    const d = make();
    d.restore(drop(structuredClone(kept)));
    return soon(feed(d, flows.filter((f) => f.end >= at)));
  };
  t.deepEqual(only(({ activeDevices: _a, ...s }) => s), [], 'channels alone: in an office of one (so far) nothing is rare');
  // (and without the record that the device was reported for them, which makes its other rare channels count)
  const noChannels = only((s) => ({ ...s, beacon: { ...(s['beacon'] as object), channels: [], implicated: [] } }));
  t.deepEqual(noChannels, [], 'office count alone: one channel, so 0.9 is needed');
});

test('a device reported for several persistent rare channels stays reported across a restart: its night fallback is still found', (t) => {
  // The implant's two controllers check in all day (reported at ~20:00); a fallback is used from
  // 21:00 for eight hours, irregularly. The box restarts at 01:00, before the fallback has the six
  // hours the method needs, and after the controllers' last check-in at 24:00.
  const at = DAY0 + 25 * H;
  const fallback = periodic({ every: 6 * MIN, jitter: 5 * MIN, hours: 8, bytes: 5000, bytesJitter: 4900, seed: 5, from: DAY0 + 21 * H, over: { remoteIp: '203.0.113.77' } });
  const flows = [...fallback, ...clockwork('192.0.2.10'), ...clockwork('2001:db8:2::10'), ...office()];
  const { kept, steady, restarted, older } = threeBoxes(flows, at);
  const scoped = (fs: Finding[]) => fs.filter((f) => f.kind === 'beacon' && f.remote?.ip === '203.0.113.77');
  t.is((kept['beacon'] as { implicated?: unknown[] }).implicated?.length, 1, 'the reported device is written');
  t.true(scoped(steady).length > 0 && scoped(steady).every((f) => f.at >= at), 'without a restart: found, after 01:00');
  t.true(scoped(restarted).length > 0, 'after the restart: still found');
  t.like(scoped(restarted)[0]!.params, { deviceRareChannels: 2 });
  t.deepEqual(scoped(older), [], 'with the older file the device is not known as reported: the fallback alone is no beacon');
});

test('an upload is judged against the device\'s baseline kept across a restart; a flow open across it is not counted twice', (t) => {
  // Three days of hourly uploads, then a restart at 02:30 on the fourth day (off hours: floor 150 MB).
  const at = DAY0 + 74 * H + 30 * MIN;
  const dev = (i: number) => ({ deviceIp: `192.168.1.${40 + i}`, deviceMac: `02:00:00:00:00:4${i}`, remoteIp: `198.51.100.${40 + i}` });
  const hourly = (i: number, bytes: (h: number) => number) => Array.from({ length: 74 }, (_, h) => flow({ ...dev(i), start: DAY0 + h * H + MIN, end: DAY0 + h * H + 2 * MIN, bytesOut: bytes(h), bytesIn: 1e6 }));
  const flows = [
    // A: a backup box sending ~400 MB every hour; its 400 MB at 02:45 is what it always does.
    ...hourly(1, (h) => 4e8 + (h % 3) * 1e7), flow({ ...dev(1), start: at + 14 * MIN, end: at + 15 * MIN, bytesOut: 4e8, bytesIn: 1e6 }),
    // B: a PC sending 40-60 MB an hour; 400 MB at 02:50 is far above its usual (a z-score).
    ...hourly(2, (h) => 4e7 + (h % 5) * 5e6), flow({ ...dev(2), start: at + 19 * MIN, end: at + 20 * MIN, bytesOut: 4e8, bytesIn: 1e6 }),
    // C: 100 MB at 02:10 and 100 MB at 02:40: the hour's 200 MB crosses the floor only with both halves.
    flow({ ...dev(3), start: at - 21 * MIN, end: at - 20 * MIN, bytesOut: 1e8, bytesIn: 1e6 }), flow({ ...dev(3), start: at + 9 * MIN, end: at + 10 * MIN, bytesOut: 1e8, bytesIn: 1e6 }),
    // D: one connection sending 140 MB by 01:50 (an update event), 160 MB in all at its end at 02:40.
    flow({ ...dev(4), ctId: 9_000_001, event: 'update', start: DAY0 + 73 * H, end: DAY0 + 73 * H + 50 * MIN, bytesOut: 1.4e8, bytesIn: 1e6 }),
    flow({ ...dev(4), ctId: 9_000_001, event: 'end', start: DAY0 + 73 * H, end: at + 10 * MIN, bytesOut: 1.6e8, bytesIn: 1e6 }),
  ];
  const { steady, restarted, older } = threeBoxes(flows, at);
  const uploads = (fs: Finding[]) => fs.filter((f) => f.kind === 'upload');
  t.deepEqual(uploads(restarted), uploads(steady), 'the same findings as without the restart');
  t.deepEqual(uploads(steady).map((f) => f.device?.ip), ['192.168.1.43', '192.168.1.42'], 'C\'s hour and B\'s spike');
  const b = uploads(restarted).find((f) => f.device?.ip === '192.168.1.42')!;
  t.like(b.evidence, { coldStart: false });
  t.true(Number(b.evidence['baselineHours']) >= 24);
  t.true(Number(b.evidence['z']) >= 8 && Number(b.evidence['baselineMedian']) >= 4e7);
  t.is(uploads(restarted).find((f) => f.device?.ip === '192.168.1.43')!.evidence['hourBytesOut'], 2e8);
  // The older file: A's usual hour is new to the box, B is judged by the floor alone, C's hour is
  // half, D's connection is counted whole again.
  t.deepEqual(uploads(older).map((f) => f.device?.ip).sort(), ['192.168.1.41', '192.168.1.42', '192.168.1.44']);
  t.true(uploads(older).every((f) => f.evidence['coldStart'] === true));
});

test('a long connection\'s device list, report and watch start are kept across a restart', (t) => {
  // 08:00 a shell from the PC to 198.51.100.22:22 opens; at 09:00 another PC uses 203.0.113.50 once;
  // 09:30 the shell is reported (an update event). The box restarts at 10:00; a short flow comes first.
  const at = DAY0 + 10 * H;
  const pc = { deviceIp: '192.168.1.10', deviceMac: '02:00:00:00:00:0a' };
  const flows = [
    flow({ ...pc, remoteIp: '192.0.2.1', start: DAY0 + 8 * H - MIN }),
    flow({ ...pc, ctId: 501, event: 'update', remoteIp: '198.51.100.22', remotePort: 22, start: DAY0 + 8 * H, end: DAY0 + 9.5 * H }),
    flow({ deviceIp: '192.168.1.21', deviceMac: '02:00:00:00:00:21', remoteIp: '203.0.113.50', remotePort: 2222, start: DAY0 + 9 * H }),
    flow({ deviceIp: '192.168.1.22', deviceMac: '02:00:00:00:00:22', remoteIp: '192.0.2.1', start: at + MIN }),
    // after the restart: the shell still open, and a new long connection from the PC to 203.0.113.50
    flow({ ...pc, ctId: 501, event: 'update', remoteIp: '198.51.100.22', remotePort: 22, start: DAY0 + 8 * H, end: at + 30 * MIN }),
    flow({ ...pc, ctId: 502, event: 'update', remoteIp: '203.0.113.50', remotePort: 2222, start: DAY0 + 9 * H + 10 * MIN, end: at + 20 * MIN }),
  ];
  const { steady, restarted, older } = threeBoxes(flows, at);
  const long = (fs: Finding[]) => fs.filter((f) => f.kind === 'long_connection');
  t.deepEqual(long(restarted), long(steady), 'the same findings as without the restart');
  t.deepEqual(long(steady).map((f) => [f.remote?.ip, f.evidence['devicesUsingDestination']]), [['203.0.113.50', 2]], 'the shell is not reported again; the new one names both devices');
  // The older file: the watch restarted with the short flow at 10:01, so the new connection waits an hour.
  t.deepEqual(long(older), []);
});

test('a damaged new part is refused with the whole file; a file of the older kind still loads', (t) => {
  const at = DAY0 + 3 * H;
  const first = make();
  feed(first, [flow({ ctId: 77, event: 'update', start: DAY0, end: DAY0 + 2 * H, bytesOut: 5e6, bytesIn: 1e5 }), flow({ start: DAY0 + H, bytesOut: 1e7 })]);
  const kept = JSON.parse(JSON.stringify(first.snapshot(at))) as { upload: { devices: Array<Record<string, unknown>>; open: unknown[] } } & Record<string, unknown>;
  t.is(kept.upload.devices.length, 1);
  t.is(kept.upload.open.length, 1);
  const dev = kept.upload.devices[0]!;
  const bad = [
    { ...kept, upload: { ...kept.upload, devices: [{ ...dev, past: 'not base64!' }] } },
    { ...kept, upload: { ...kept.upload, devices: [{ ...dev, past: Buffer.from([0, 0, 0xc0, 0xff]).toString('base64') }] } }, // NaN bytes
    { ...kept, upload: { ...kept.upload, devices: [{ ...dev, past: Buffer.from([0, 0, 0x80, 0xbf]).toString('base64') }] } }, // -1 bytes
    { ...kept, upload: { ...kept.upload, devices: [{ ...dev, past: 'AAAA' }] } }, // 3 bytes: not whole hours
    { ...kept, upload: { ...kept.upload, devices: [{ ...dev, extra: 1 }] } },
    { ...kept, activeDevices: [['x'.repeat(101), 0]] },
    { ...kept, longConnection: { observedSince: 0, dests: [['203.0.113.1', Array(65).fill('d'), 0]], reported: [] } },
    { ...kept, beacon: { ...(kept['beacon'] as object), channels: [['d', Array.from({ length: 257 }, (_, i) => [`n${i}`, 0])]] } },
  ];
  for (const b of bad) {
    const d = make();
    t.throws(() => d.restore(b));
    t.deepEqual(d.snapshot(at), make().snapshot(at), 'nothing taken');
  }
  const older = make();
  older.restore(olderFile(kept));
  t.deepEqual(older.snapshot(at).upload, { devices: [], open: [] });
  const again = make();
  again.restore(kept);
  t.deepEqual(JSON.parse(JSON.stringify(again.snapshot(at))), kept, 'what is taken back is written again as it was');
});

test('the names the office looked up are kept across a restart: a push connection opened before it and ending after it is judged by its name', (t) => {
  // 08:00 the PC looks up client.wns.windows.com (203.0.113.50) and keeps Windows' push channel
  // open to it; the box restarts at 09:00; the connection ends at 10:30, the first the detectors
  // hear of it. The name is allowlisted for long connections (rules/thresholds.json push-notifications).
  const push = flow({ remoteIp: '203.0.113.50', remotePort: 443, start: DAY0 + 8 * H + MIN, end: DAY0 + 10.5 * H, bytesOut: 40_000, bytesIn: 60_000 });
  const box = () => {
    let clock = DAY0;
    const names = new NameCache({ cap: 1000, now: () => clock });
    const d = new DetectorSet({ thresholds: thresholds(), listed: () => undefined, nameOf: (ip) => names.nameOf(ip), nameMemory: names });
    return { d, names, at: (t: number) => { clock = t; } };
  };
  const answered = () => {
    const b = box();
    b.names.add([{ ip: '203.0.113.50', family: 4, name: 'client.wns.windows.com', ttl: 300 }], DAY0 + 8 * H);
    return b;
  };
  const longOf = (b: ReturnType<typeof box>) => {
    b.at(push.end);
    return b.d.onFlow(push).filter((f) => f.kind === 'long_connection');
  };
  t.deepEqual(longOf(answered()), [], 'without a restart: Windows push, by its name');
  const first = answered();
  const kept = JSON.parse(JSON.stringify(first.d.snapshot(DAY0 + 9 * H))) as Record<string, unknown>;
  t.deepEqual(kept['dnsNames'], [['203.0.113.50', 'client.wns.windows.com', null, DAY0 + 11 * H]], 'held 3 h after the answer (minHold), whatever its TTL');
  const restarted = box();
  restarted.d.restore(kept);
  t.deepEqual(longOf(restarted), [], 'after the restart: still Windows push');
  const forgetful = box();
  forgetful.d.restore({ ...kept, dnsNames: [] });
  t.is(longOf(forgetful).length, 1, 'a box that forgot the name reports the push channel as an unknown long connection');
  // and an answer learned after the restart is newer than the kept one
  const newer = answered();
  newer.names.add([{ ip: '203.0.113.50', family: 4, name: 'other.example', ttl: 300 }], DAY0 + 9 * H + MIN);
  newer.d.restore(kept);
  t.is(newer.names.nameOf('203.0.113.50'), 'other.example');
});

test('what the office looked up by network and per device is kept across a restart (officeNames)', (t) => {
  const names = new Map([['203.0.113.85', 'client.wns.windows.com'], ['198.51.100.10', 'ap4.spotify.com']]);
  const mk = () => new OfficeNames(100, 10, 24 * H, (ip) => names.get(ip), ['spotify.com']);
  const first = mk();
  first.note(flow({ remoteIp: '203.0.113.85', end: DAY0 + 8 * H }), 'pc1');
  first.note(flow({ remoteIp: '198.51.100.10', end: DAY0 + 8 * H }), 'pc1');
  const kept = OfficeNamesSnapshotSchema.parse(JSON.parse(JSON.stringify(first.snapshot(DAY0 + 9 * H))));
  const second = mk();
  second.restore(kept);
  t.is(second.nameByNetwork('203.0.113.151', DAY0 + 10 * H), 'client.wns.windows.com', 'an unnamed address of the same /24');
  t.true(second.deviceUsed('pc1', ['spotify.com'], DAY0 + 10 * H));
  t.is(mk().nameByNetwork('203.0.113.151', DAY0 + 10 * H), undefined, 'a box that forgot knows nothing');
  t.deepEqual(second.snapshot(DAY0 + 9 * H), kept);
  t.deepEqual(first.snapshot(DAY0 + 33 * H), { nets: [], devices: [] }, 'nothing outside the window is written');
});
