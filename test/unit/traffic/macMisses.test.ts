// Cold start and late devices: a flow without its device's MAC waits for one fresh read of
// the tables and is then judged with the MAC; unknowable devices are not held again.
import test from 'ava';
import { MacMisses } from '../../../firmware/src/traffic/macMisses.js';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';

const flow = (deviceIp: string): FlowRecord => ({
  event: 'end', ctId: 1, family: 4, proto: 'tcp', protoNum: 6, direction: 'outbound', deviceIp, deviceMac: undefined,
  devicePort: 50000, remoteIp: '203.0.113.5', remotePort: 443, bytesOut: 1, bytesIn: 1, pktsOut: 1, pktsIn: 1, start: 0, end: 1,
});

function setup(table: Map<string, string>, clock = () => 1000) {
  const judged: FlowRecord[] = [];
  let reads = 0;
  let release: () => void = () => undefined;
  const m = new MacMisses({
    reread: () => { reads++; return new Promise<void>((r) => { release = r; }); },
    macOf: (ip) => table.get(ip), judge: (f) => judged.push(f), clock,
  });
  return { m, judged, reads: () => reads, release: () => release() };
}

test('flows wait for one read, then are judged with the MAC the read found', async (t) => {
  const table = new Map<string, string>();
  const s = setup(table);
  t.true(s.m.hold(flow('192.168.77.101')));
  t.true(s.m.hold(flow('192.168.77.101')));
  t.deepEqual(s.judged, [], 'nothing is judged before the read');
  t.is(s.reads(), 1, 'one read serves every waiting flow');
  table.set('192.168.77.101', '02:00:00:00:01:01');
  s.release();
  await new Promise((r) => setImmediate(r));
  t.deepEqual(s.judged.map((f) => f.deviceMac), ['02:00:00:00:01:01', '02:00:00:00:01:01']);
  t.like(s.m.counts, { held: 2, filled: 2, unknown: 0, rereads: 1 });
});

test('an address still unknown after a read is judged without MAC, and at once for a while', async (t) => {
  let now = 1000;
  const s = setup(new Map(), () => now);
  t.true(s.m.hold(flow('192.168.77.102')));
  s.release();
  await new Promise((r) => setImmediate(r));
  t.is(s.judged.length, 1);
  t.is(s.judged[0]!.deviceMac, undefined);
  t.false(s.m.hold(flow('192.168.77.102')), 'not held again within the window');
  now += 61_000;
  t.true(s.m.hold(flow('192.168.77.102')), 'held again after it');
});

test('the queue is bounded; flush judges what waits', (t) => {
  const judged: FlowRecord[] = [];
  const m = new MacMisses({ reread: () => new Promise(() => undefined), macOf: () => undefined, judge: (f) => judged.push(f), maxHeld: 2 });
  t.true(m.hold(flow('10.0.0.1')));
  t.true(m.hold(flow('10.0.0.2')));
  t.false(m.hold(flow('10.0.0.3')));
  t.is(m.counts.overflow, 1);
  m.flush();
  t.is(judged.length, 2);
});
