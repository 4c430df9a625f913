import test from 'ava';
import { ScanDetector } from '../../../firmware/src/detectors/scan.js';
import { ctx, DAY0, flow, H, MIN, rng, run } from './helpers.js';

test('30 hosts on 445 within 5 minutes across the LAN is a scan', (t) => {
  const flows = Array.from({ length: 30 }, (_, i) => flow({ direction: 'lan', remoteIp: `192.168.1.${100 + i}`, remotePort: 445, pktsIn: 0, start: DAY0 + i * 5000, end: DAY0 + i * 5000 + 3000 }));
  const found = run(new ScanDetector(ctx()), flows);
  t.is(found.length, 1);
  t.like(found[0], { kind: 'scan', direction: 'lan', params: { pattern: 'hosts', port: 445, hosts: 26 } });
});

test('outbound scan of 3389 is found; the same hosts spread over an hour are not', (t) => {
  const fast = Array.from({ length: 40 }, (_, i) => flow({ remoteIp: `198.51.100.${i}`, remotePort: 3389, pktsIn: 1, start: DAY0 + i * 1000, end: DAY0 + i * 1000 + 500 }));
  t.is(run(new ScanDetector(ctx()), fast).length, 1);
  const slow = Array.from({ length: 40 }, (_, i) => flow({ remoteIp: `198.51.100.${i}`, remotePort: 3389, pktsIn: 1, start: DAY0 + i * 6 * MIN, end: DAY0 + i * 6 * MIN + 500 }));
  t.deepEqual(run(new ScanDetector(ctx()), slow), []);
});

test('20 ports on one host is a port scan', (t) => {
  const flows = Array.from({ length: 20 }, (_, i) => flow({ remoteIp: '203.0.113.9', remotePort: 1000 + i, pktsIn: 1, start: DAY0 + i * 100, end: DAY0 + i * 100 + 50 }));
  const found = run(new ScanDetector(ctx()), flows);
  t.is(found.length, 1);
  t.like(found[0], { params: { pattern: 'ports', ports: 16 } });
});

test('busy web browsing (answered 443 to 80 hosts in 5 min) and a video call are not scans', (t) => {
  const r = rng(3);
  const flows = Array.from({ length: 80 }, (_, i) => flow({ remoteIp: `203.0.113.${i}`, remotePort: 443, pktsIn: 5 + Math.floor(r() * 50), start: DAY0 + i * 3000, end: DAY0 + i * 3000 + 2000 }));
  for (const p of [3478, 3479, 3480, 3481]) flows.push(flow({ proto: 'udp', remoteIp: '203.0.113.200', remotePort: p, pktsIn: 5000, start: DAY0, end: DAY0 + H }));
  t.deepEqual(run(new ScanDetector(ctx()), flows), []);
});

test('state is evicted after the window', (t) => {
  const d = new ScanDetector(ctx());
  d.onFlow(flow({ remotePort: 445, pktsIn: 0 }));
  t.is(d.size(), 1);
  d.evict(DAY0 + H);
  t.is(d.size(), 0);
});

test('a quiet device is forgotten after the window; one that reported keeps its report time', (t) => {
  const d = new ScanDetector(ctx());
  // One failed connection from another PC: state for the window only.
  d.onFlow(flow({ deviceMac: '02:00:00:00:00:0b', deviceIp: '192.168.1.11', remoteIp: '203.0.113.5', remotePort: 8080, pktsIn: 0, start: DAY0, end: DAY0 + 1000 }));
  const sweep = Array.from({ length: 30 }, (_, i) => flow({ remoteIp: `198.51.100.${i}`, remotePort: 445, pktsIn: 0, start: DAY0 + i * 1000, end: DAY0 + i * 1000 + 500 }));
  t.is(run(d, sweep).length, 1);
  t.is(d.size(), 2);
  d.evict(DAY0 + 10 * MIN);
  t.is(d.size(), 1, 'the quiet PC is gone, the scanner stays for its report interval');
  // The same sweep again 10 minutes later is within the 30-minute report interval: no new finding.
  t.deepEqual(run(d, sweep.map((f) => ({ ...f, start: f.start + 10 * MIN, end: f.end + 10 * MIN }))), []);
  d.evict(DAY0 + 60 * MIN);
  t.is(d.size(), 0);
});

test('answered UDP questions (DNS, NTP: one reply each) are not failed attempts; silent UDP probes are', (t) => {
  const answered = Array.from({ length: 40 }, (_, i) => flow({ proto: 'udp', remoteIp: `203.0.113.${i}`, remotePort: 53, pktsIn: 1, start: DAY0 + i * 1000, end: DAY0 + i * 1000 + 30 }));
  const d = new ScanDetector(ctx());
  t.deepEqual(run(d, answered), []);
  t.is(d.size(), 0, 'no window state for answered questions');
  const silent = answered.map((f) => ({ ...f, remotePort: 161, pktsIn: 0, bytesIn: 0 }));
  t.is(run(new ScanDetector(ctx()), silent).length, 1);
});
