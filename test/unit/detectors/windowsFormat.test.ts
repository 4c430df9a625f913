// The restart file keeps its text across the window tables' representation change (issue 15,
// memory: numbers and typed columns instead of strings and objects per entry).
// test/fixtures/traffic/windows-before-slots.json was written by the code before it (c260beb)
// from the flows below: IPv4 and IPv6 remotes, devices by MAC and by IPv4/IPv6 address, names.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { DAY0, flow, H, MIN, periodic, thresholds } from './helpers.js';

const golden = JSON.parse(readFileSync(new URL('../../fixtures/traffic/windows-before-slots.json', import.meta.url), 'utf8')) as unknown;
const names: Record<string, string> = { '198.51.100.7': 'push.example.com', '2001:db8:1:2::7': 'sync.example.net' };
const make = () => new DetectorSet({ thresholds: thresholds(), listed: () => undefined, nameOf: (ip) => names[ip] });
const flows = () => [
  ...periodic({ every: 30 * MIN, jitter: 5_000, hours: 10, seed: 3, from: DAY0 + 4 * H, over: { remoteIp: '203.0.113.77' } }),
  ...periodic({ every: 20 * MIN, jitter: 5_000, hours: 8, seed: 4, from: DAY0 + 5 * H, over: { deviceMac: undefined, deviceIp: '192.168.1.40', remoteIp: '2001:db8:1:2::7' } }),
  ...[1, 2, 3].map((i) => flow({ deviceIp: `192.168.1.${20 + i}`, deviceMac: `02:00:00:00:00:2${i}`, remoteIp: `198.51.100.${i * 2 + 1}`, start: DAY0 + 9 * H })),
  flow({ deviceIp: 'fd00::9', deviceMac: undefined, remoteIp: '2001:db8:aa::1', start: DAY0 - 30 * H }),
  flow({ remoteIp: '198.51.100.7', start: DAY0 + 8 * H }),
].sort((a, b) => a.end - b.end);
/** The parts of the file the code before wrote (later parts are other tests' business). */
const snap = (d: DetectorSet): unknown => {
  const s = JSON.parse(JSON.stringify(d.snapshot(DAY0 + 14 * H))) as { version: number; beacon: { observedSince: unknown; pairs: unknown }; routine: unknown; popularity: unknown };
  return { version: s.version, beacon: { observedSince: s.beacon.observedSince, pairs: s.beacon.pairs }, routine: s.routine, popularity: s.popularity };
};

test('the same flows give the same file as the code before the change', (t) => {
  const d = make();
  for (const f of flows()) d.onFlow(f);
  t.deepEqual(snap(d), golden);
});

test('a file written by the code before the change loads, and is written back unchanged', (t) => {
  const d = make();
  d.restore(golden);
  t.deepEqual(snap(d), golden);
});
