import test from 'ava';
import { BeaconDetector } from '../../../firmware/src/detectors/beacon.js';
import { statisticalScore } from '../../../firmware/src/detectors/beaconScore.js';
import { ctx, DAY0, flow, H, MIN, periodic, rng, run, thresholds } from './helpers.js';

test('RITA statistical score: perfectly regular intervals score 1, skewed ones less', (t) => {
  t.is(statisticalScore([300, 300, 300, 300, 300], 1).score, 1);
  const skewed = [10, 12, 14, 16, 300, 900, 3000].sort((a, b) => a - b);
  t.true(statisticalScore(skewed, 1).score < 0.5);
});

test('a 5-minute beacon with small jitter over 24 h is found, with evidence', (t) => {
  const flows = periodic({ every: 5 * MIN, jitter: 3000, hours: 24, bytes: 900, bytesJitter: 20, over: { remoteIp: '198.51.100.66' } });
  const found = run(new BeaconDetector(ctx()), flows);
  t.true(found.length >= 1);
  const f = found[0]!;
  t.is(f.kind, 'beacon');
  t.is(f.remote?.ip, '198.51.100.66');
  t.true((f.evidence['score'] as number) >= 0.8);
  t.true(Math.abs((f.evidence['medianIntervalSeconds'] as number) - 300) <= 5);
  for (const k of ['tsScore', 'dsScore', 'histScore', 'durScore', 'connections', 'histogram']) t.true(k in f.evidence, k);
});

test('NTP every 64 s is silenced by the allowlist, and only by it', (t) => {
  const ntp = periodic({ every: 64_000, hours: 24, bytes: 152, over: { proto: 'udp', protoNum: 17, remotePort: 123, remoteIp: '192.0.2.123' } });
  t.is(run(new BeaconDetector(ctx()), ntp).length, 0);
  const noAllow = thresholds({ allowlist: [] });
  t.true(run(new BeaconDetector(ctx(noAllow)), ntp).length > 0, 'without the allowlist the regular NTP traffic would score as a beacon');
});

test('Windows Update, web browsing and a video call do not look like beacons', (t) => {
  const r = rng(7);
  const flows = [];
  // Windows Update: irregular checks and downloads of very different sizes, all day.
  for (let at = DAY0; at < DAY0 + 24 * H; at += (5 + r() * 120) * MIN) {
    flows.push(flow({ start: at, end: at + 30_000, remoteIp: '203.0.113.80', bytesIn: Math.round(2e3 + r() * 5e7), bytesOut: Math.round(1e3 + r() * 2e4) }));
  }
  // Browsing one site during business hours (09-18 JST), user-driven bursts.
  for (let at = DAY0 + 9 * H; at < DAY0 + 18 * H; at += r() * 10 * MIN) {
    flows.push(flow({ start: at, end: at + 2000, remoteIp: '203.0.113.90', bytesIn: Math.round(1e4 + r() * 1e6) }));
  }
  // A video call: a few long UDP flows.
  flows.push(flow({ proto: 'udp', protoNum: 17, remotePort: 3478, remoteIp: '203.0.113.100', start: DAY0 + 10 * H, end: DAY0 + 11 * H, bytesOut: 6e8, bytesIn: 7e8 }));
  t.deepEqual(run(new BeaconDetector(ctx()), flows), []);
});

test('a device on the LAN polling a NAS is not scored (beacons are outbound only)', (t) => {
  const flows = periodic({ every: 5 * MIN, hours: 24, over: { direction: 'lan', remoteIp: '192.168.1.20', remotePort: 445 } });
  t.deepEqual(run(new BeaconDetector(ctx()), flows), []);
});

test('pair state is capped and evicted after the window', (t) => {
  const d = new BeaconDetector(ctx(thresholds({ caps: { beaconPairs: 100 } })));
  for (let i = 0; i < 500; i++) d.onFlow(flow({ remoteIp: `198.51.100.${i % 250}`, deviceIp: `192.168.1.${i % 2}`, deviceMac: undefined }));
  t.is(d.size(), 100);
  d.evict(DAY0 + 25 * H);
  t.is(d.size(), 0);
});
