import test from 'ava';
import { LongConnectionDetector } from '../../../firmware/src/detectors/longConn.js';
import { ctx, DAY0, flow, H, MIN, run } from './helpers.js';

// Some ordinary traffic first so the detector has watched for a while.
const warmup = () => [flow({ remoteIp: '203.0.113.1', start: DAY0, end: DAY0 + MIN })];

test('a 2-hour connection to a destination nobody else uses is reported, from its update event', (t) => {
  const flows = [...warmup(),
    flow({ event: 'update', ctId: 9, remoteIp: '198.51.100.44', remotePort: 8443, start: DAY0 + 1 * H, end: DAY0 + 2.5 * H, bytesOut: 3e5, bytesIn: 2e5 }),
    flow({ event: 'end', ctId: 9, remoteIp: '198.51.100.44', remotePort: 8443, start: DAY0 + 1 * H, end: DAY0 + 3 * H, bytesOut: 4e5, bytesIn: 3e5 })];
  const found = run(new LongConnectionDetector(ctx()), flows);
  t.is(found.length, 1, 'update and end of the same flow make one finding');
  t.like(found[0], { kind: 'long_connection', params: { hours: 1.5, port: 8443 }, evidence: { stillOpen: true, devicesUsingDestination: 1 } });
});

test('long connections to a destination many devices use, short ones, and video calls are not reported', (t) => {
  const flows = [...warmup()];
  for (let i = 0; i < 6; i++) flows.push(flow({ deviceIp: `192.168.1.${20 + i}`, deviceMac: `02:00:00:00:00:${20 + i}`, remoteIp: '203.0.113.77', start: DAY0 + 2 * H + i * MIN, end: DAY0 + 2 * H + i * MIN + 1000 }));
  flows.push(flow({ remoteIp: '203.0.113.77', start: DAY0 + 1 * H, end: DAY0 + 5 * H }));
  flows.push(flow({ remoteIp: '198.51.100.45', start: DAY0 + 1 * H, end: DAY0 + 1.5 * H }));
  flows.push(flow({ proto: 'udp', protoNum: 17, remotePort: 3478, remoteIp: '198.51.100.46', start: DAY0 + 1 * H, end: DAY0 + 3 * H }));
  t.deepEqual(run(new LongConnectionDetector(ctx()), flows), []);
});

test('Steam: a long connection to Valve\'s network on a Steam port is a well-known service; the same port elsewhere, or another port there, is reported', (t) => {
  // CTU-50 Client8 kept 146.66.155.54:27034 open for days (rules/thresholds.json `steam`, Valve's AS32590).
  const long = (ip: string, port: number) => [...warmup(), flow({ remoteIp: ip, remotePort: port, start: DAY0 + 1 * H, end: DAY0 + 4 * H })];
  t.deepEqual(run(new LongConnectionDetector(ctx()), long('146.66.155.54', 27034)), []);
  t.is(run(new LongConnectionDetector(ctx()), long('203.0.113.54', 27034)).length, 1);
  t.is(run(new LongConnectionDetector(ctx()), long('146.66.155.54', 4444)).length, 1);
});
