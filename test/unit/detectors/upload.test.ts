import test from 'ava';
import { UploadDetector } from '../../../firmware/src/detectors/upload.js';
import { ctx, DAY0, flow, H, MIN, run, thresholds } from './helpers.js';

test('1.5 GB sent at 02:30 to an unknown host is an unusual upload', (t) => {
  const found = run(new UploadDetector(ctx()), [flow({ remoteIp: '198.51.100.77', start: DAY0 + 2 * H, end: DAY0 + 2.5 * H, bytesOut: 1.5e9, bytesIn: 2e6 })]);
  t.is(found.length, 1);
  t.like(found[0], { kind: 'upload', severity: 'warning', params: { businessHours: false, bytes: 1_500_000_000, pattern: 'single_flow', aboveUsual: false } });
});

test('a large legitimate upload to cloud storage at 14:00, a video call and a NAS backup do not alert', (t) => {
  const flows = [
    flow({ remoteIp: '203.0.113.50', start: DAY0 + 14 * H, end: DAY0 + 14.4 * H, bytesOut: 8e8, bytesIn: 5e6 }),
    flow({ proto: 'udp', remotePort: 3478, start: DAY0 + 10 * H, end: DAY0 + 11 * H, bytesOut: 7e8, bytesIn: 8e8 }),
    flow({ direction: 'lan', remoteIp: '192.168.1.20', remotePort: 445, start: DAY0 + 1 * H, end: DAY0 + 3 * H, bytesOut: 3e10, bytesIn: 1e7 }),
  ];
  t.deepEqual(run(new UploadDetector(ctx()), flows), []);
});

test('update events are turned into deltas, so a long upload is counted once', (t) => {
  const d = new UploadDetector(ctx(thresholds({ upload: { singleFlowBytesOff: 1e12 } })));
  const base = { ctId: 77, remoteIp: '198.51.100.7', start: DAY0 + 1 * H };
  // 100 MB per update, three updates within one off-hour: 300 MB ≥ 150 MB floor.
  const out = [
    ...d.onFlow(flow({ ...base, event: 'update', end: DAY0 + 1.2 * H, bytesOut: 1e8, bytesIn: 1e5 })),
    ...d.onFlow(flow({ ...base, event: 'update', end: DAY0 + 1.4 * H, bytesOut: 1e8, bytesIn: 1e5 })),
  ];
  t.is(out.length, 0, 'a repeated cumulative counter must not be added twice');
  const third = d.onFlow(flow({ ...base, event: 'end', end: DAY0 + 1.6 * H, bytesOut: 2e8, bytesIn: 2e5 }));
  t.is(third.length, 1);
  t.is(third[0]!.evidence['hourBytesOut'], 2e8);
});

test('a nightly cloud backup stops alerting once it is part of the device history', (t) => {
  const d = new UploadDetector(ctx(thresholds({ upload: { singleFlowBytesOff: 1e12 } })));
  const night = (day: number, bytes: number) => flow({ remoteIp: '203.0.113.60', start: DAY0 + day * 24 * H + 1 * H, end: DAY0 + day * 24 * H + 1.5 * H, bytesOut: bytes, bytesIn: 1e6 });
  const daily = (day: number) => Array.from({ length: 24 }, (_, h) => flow({ start: DAY0 + day * 24 * H + h * H + 10 * MIN, end: DAY0 + day * 24 * H + h * H + 11 * MIN, bytesOut: 2e5, bytesIn: 1e6 }));
  t.is(run(d, [...daily(0), night(0, 3e8)]).length, 1, 'first night: no history yet');
  t.is(run(d, [...daily(1), night(1, 3e8)]).length, 0, 'same hour yesterday had as much');
  t.is(run(d, [...daily(2), night(2, 3e9)]).length, 1, 'ten times the usual is unusual again');
});

test('with a baseline, the robust z-score decides', (t) => {
  const d = new UploadDetector(ctx(thresholds({ upload: { minBaselineHours: 24, singleFlowBytesOff: 1e12, singleFlowBytesBusiness: 1e12 } })));
  // Three days of ~40-60 MB per hour, all hours.
  const flows = [];
  for (let h = 0; h < 72; h++) flows.push(flow({ start: DAY0 + h * H + MIN, end: DAY0 + h * H + 2 * MIN, bytesOut: 4e7 + (h % 5) * 5e6, bytesIn: 1e6 }));
  t.deepEqual(run(d, flows), []);
  const spike = d.onFlow(flow({ start: DAY0 + 74 * H + MIN, end: DAY0 + 74 * H + 2 * MIN, bytesOut: 4e8, bytesIn: 1e6 }));
  t.is(spike.length, 1);
  t.true((spike[0]!.evidence['z'] as number) >= 8);
  t.false(spike[0]!.evidence['coldStart']);
  t.is(spike[0]!.params['aboveUsual'], true, 'measured against the device\'s own history');
});

test('hours a device was silent count as zero, also after a silence longer than the baseline', (t) => {
  const d = new UploadDetector(ctx(thresholds({ upload: { minBaselineHours: 24, singleFlowBytesOff: 1e12, singleFlowBytesBusiness: 1e12, sameHourRatio: 100 } })));
  // Fourteen days (the whole ring) of ~400 MB every hour: alerts while there is no history
  // yet, then the baseline forgives 400 MB.
  const heavy = Array.from({ length: 14 * 24 }, (_, h) => flow({ start: DAY0 + h * H + MIN, end: DAY0 + h * H + 2 * MIN, bytesOut: 4e8 + (h % 3) * 1e7, bytesIn: 1e6 }));
  t.true(run(d, heavy).every((f) => f.evidence['coldStart'] === true));
  // Silent for 20 days (longer than the ring), then small traffic for two days.
  const back = 34 * 24;
  const quiet = Array.from({ length: 48 }, (_, h) => flow({ start: DAY0 + (back + h) * H + MIN, end: DAY0 + (back + h) * H + 2 * MIN, bytesOut: 1e5, bytesIn: 1e6 }));
  t.deepEqual(run(d, quiet), []);
  // The old 400 MB hours are gone from the ring: 400 MB now stands out.
  const spike = d.onFlow(flow({ start: DAY0 + (back + 49) * H + MIN, end: DAY0 + (back + 49) * H + 2 * MIN, bytesOut: 4e8, bytesIn: 1e6 }));
  t.is(spike.length, 1);
  t.true((spike[0]!.evidence['baselineMedian'] as number) < 1e6);
});

test('one-way bytes to a port other than 80/443 of an address few devices use count against the lower floor', (t) => {
  // AndroidTester's controller (Stratosphere's Android Mischief Dataset): 42 MB out on 1337/tcp in
  // five minutes, at 18:36 office time, with almost nothing back.
  const rat = (over: Parameters<typeof flow>[0]) => [0, 1, 2].map((i) => flow({ remoteIp: '198.51.100.37', remotePort: 1337, start: DAY0 + 14 * H + i * MIN, end: DAY0 + 14 * H + (i + 1) * MIN, bytesOut: 14e6, bytesIn: 2000, ...over }));
  const found = run(new UploadDetector(ctx()), rat({}));
  t.is(found.length, 1);
  t.is(found[0]!.evidence['otherPortsBytesOut'], 28e6, 'reported when the hour crossed 20 MB');
  t.is(found[0]!.evidence['coldStart'], false, 'no z-score was used, so none is claimed missing');
  t.deepEqual(run(new UploadDetector(ctx()), rat({ remotePort: 443 })), [], 'the same to a web port is an ordinary upload (2 GB floor in business hours)');
  t.deepEqual(run(new UploadDetector(ctx()), rat({ bytesIn: 14e6 })), [], 'two-way (a call, a VPN) is no upload');
  t.deepEqual(run(new UploadDetector(ctx()), rat({ bytesOut: 5e6 })), [], '15 MB in the hour is under the 20 MB floor');
  // A call's media is no upload: presenting a screen to a Zoom meeting whose cameras are off.
  t.deepEqual(run(new UploadDetector(ctx()), rat({ proto: 'udp', remotePort: 8801, bytesOut: 100e6 })), [], 'video-calls media ports');
  // A destination many office devices use is not "few": the DetectorSet says so through usedBy.
  const popular = { ...ctx(), usedBy: () => ({ count: 5, by: 'network' as const }) };
  t.deepEqual(run(new UploadDetector(popular), rat({})), []);
});
