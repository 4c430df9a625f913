import test from 'ava';
import { FlowIngest } from '../../../firmware/src/traffic/ingest.js';
import { neighbourMacs } from '../../../firmware/src/net/neighbours.js';
import { makeIsLan } from '../../../firmware/src/net/cidrSet.js';
import { parseNfct } from '../../../firmware/src/sensors/nfct.js';
import type { FlowEvent } from '../../../firmware/src/sensors/events.js';

const rec = (src: string, dst: string, ev = 4): Record<string, string | number> => ({
  'ct.event': ev, 'orig.ip.saddr.str': src, 'orig.ip.daddr.str': dst, 'orig.ip.protocol': 6, 'orig.l4.sport': 40000, 'orig.l4.dport': 443,
  'orig.raw.pktlen': 100, 'orig.raw.pktcount': 2, 'reply.raw.pktlen': 50, 'reply.raw.pktcount': 1, 'flow.start.sec': 1000, 'flow.end.sec': 1001,
});

function ingest() {
  const macs = neighbourMacs('[{"dst":"192.168.77.10","dev":"br0","lladdr":"02:00:00:00:00:0A","state":["REACHABLE"]},{"dst":"192.168.77.11","dev":"br0","state":["FAILED"]}]');
  return new FlowIngest({ isLan: makeIsLan(['192.168.77.0/24']), macOf: (ip) => macs.get(ip), now: () => 5_000_000 });
}

/** The listener's typing of one record (it drops what does not parse). */
function typed(r: Record<string, string | number>): FlowEvent {
  const p = parseNfct(r, 0);
  if (!p.ok) throw new Error(p.reason);
  return p.event;
}

test('a flow gets its device MAC from the neighbour table', (t) => {
  const i = ingest();
  t.is(i.toRecord(typed(rec('192.168.77.10', '203.0.113.5')))?.deviceMac, '02:00:00:00:00:0a');
  t.is(i.toRecord(typed(rec('192.168.77.11', '203.0.113.5')))?.deviceMac, undefined);
  t.is(i.counts.macFilled, 1);
});

test("ulogd2's own loopback datagrams are dropped and counted", (t) => {
  const i = ingest();
  t.is(i.toRecord(typed(rec('127.0.0.1', '127.0.0.1'))), undefined);
  t.is(i.counts.loopback, 1);
});

test('malformed records are refused by the listener; flows with no office side are counted; open flows end at their receive time', (t) => {
  const i = ingest();
  t.deepEqual(parseNfct({ ...rec('192.168.77.10', '203.0.113.5'), 'ct.event': 9 }, 0), { ok: false, reason: 'bad_event' });
  t.is(i.toRecord(typed(rec('198.51.100.1', '203.0.113.5'))), undefined);
  t.deepEqual(i.counts.malformed, { no_lan_side: 1 });
  t.is(i.toRecord(typed(rec('192.168.77.10', '203.0.113.5', 2)))?.end, 5_000_000);
});

test('a neighbour listing that is not JSON is an empty table', (t) => {
  t.is(neighbourMacs('not json').size, 0);
  t.is(neighbourMacs('{"a":1}').size, 0);
});

test('the inventory names devices the neighbour table lacks (bridge mode)', async (t) => {
  const { NeighbourTable } = await import('../../../firmware/src/traffic/neighbours.js');
  const errors: unknown[] = [];
  const n = new NeighbourTable(60_000, (e) => errors.push(e), () => [{ mac: '02:00:00:00:00:BB', ipv4: ['192.168.77.20'], ipv6: ['2001:DB8:77::20'] }]);
  await n.refresh();
  t.is(n.macOf('192.168.77.20'), '02:00:00:00:00:bb');
  t.is(n.macOf('2001:db8:77::20'), '02:00:00:00:00:bb');
  t.is(n.macOf('192.168.77.21'), undefined);
});
