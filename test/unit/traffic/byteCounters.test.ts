// Per-device byte counts from conntrack accounting: ended connections (DESTROY events) plus
// the latest listing of open ones, without counting a connection twice.
import test from 'ava';
import { ByteCounters } from '../../../firmware/src/traffic/byteCounters.js';
import { ByteLedger, countsForDevice, ENDED_KEEP_MAX } from '../../../firmware/src/traffic/byteLedger.js';
import type { FlowRecord } from '../../../firmware/src/flows/parse.js';

const isLan = (ip: string): boolean => ip.startsWith('192.168.77.');
const line = (id: number, src: string, dst: string, ob: number, rb: number): string =>
  `ipv4     2 tcp      6 431998 ESTABLISHED src=${src} dst=${dst} sport=60636 dport=443 packets=3 bytes=${ob} src=${dst} dst=${src} sport=443 dport=60636 packets=2 bytes=${rb} [ASSURED] mark=0 delta-time=20 [start=Thu Nov 26 14:50:39 2026] use=1 id=${id}`;

function flow(over: Partial<FlowRecord>): FlowRecord {
  return { event: 'end', ctId: 1, family: 4, proto: 'tcp', protoNum: 6, direction: 'outbound', deviceIp: '192.168.77.9', deviceMac: undefined,
    devicePort: 1000, remoteIp: '192.0.2.5', remotePort: 443, bytesOut: 100, pktsOut: 2, bytesIn: 900, pktsIn: 3, start: 0, end: 1, ...over };
}

test('open connections are summed per device from one listing, both directions, the box and office-internal traffic left out', async (t) => {
  let text = [
    line(1, '192.168.77.9', '192.0.2.5', 1000, 5000),
    line(2, '192.168.77.9', '198.51.100.7', 10, 20),
    line(3, '203.0.113.4', '192.168.77.10', 300, 7000), // opened from outside: the device sent the reply side
    line(4, '192.168.77.2', '192.0.2.53', 999, 999), // the box itself (bridge mode)
    line(5, '192.168.77.9', '192.168.77.10', 50, 50), // inside the office
    line(6, '192.0.2.1', '198.51.100.1', 1, 1), // no office side
    'garbage',
  ].join('\n');
  const c = new ByteCounters({ everyMs: 60_000, now: () => 1e12, isLan, boxAddresses: () => ['192.168.77.2'], list: async () => text, onError: (e) => t.fail(String(e)) });
  await c.poll();
  t.deepEqual(c.latest().map((d) => [d.ip, d.txBytes, d.rxBytes, d.txPackets, d.rxPackets]), [
    ['192.168.77.10', 7000, 300, 2, 3],
    ['192.168.77.9', 1010, 5020, 6, 4],
  ]);
  t.is(c.stats.skipped, 1, 'the unreadable line is counted; lines without an office side are not errors');
  // connection 1 ends with its final counts; until the next listing it must not count twice
  c.onFlow(flow({ ctId: 1, bytesOut: 1200, bytesIn: 6000, pktsOut: 4, pktsIn: 5 }));
  t.is(c.latest().find((d) => d.ip === '192.168.77.9')!.txBytes, 1200 + 10);
  text = line(2, '192.168.77.9', '198.51.100.7', 40, 80);
  await c.poll();
  const d = c.latest().find((x) => x.ip === '192.168.77.9')!;
  t.deepEqual([d.txBytes, d.rxBytes], [1200 + 40, 6000 + 80]);
  t.falsy(c.latest().find((x) => x.ip === '192.168.77.10'), 'a device whose connections closed unseen drops to what ended');
});

test('a listing taken before the end event arrived does not count the ended connection again', (t) => {
  const l = new ByteLedger();
  l.ended(flow({ ctId: 7, bytesOut: 500 }));
  l.listed([flow({ ctId: 7, bytesOut: 400, event: 'update' })]);
  t.is(l.totals()[0]!.txBytes, 500);
});

test('ended ids are bounded when no listing comes; the latest still keep a listing from counting them again', (t) => {
  const l = new ByteLedger();
  const n = ENDED_KEEP_MAX * 3;
  for (let id = 1; id <= n; id++) l.ended(flow({ ctId: id, bytesOut: 1, bytesIn: 0, pktsOut: 0, pktsIn: 0 }));
  const held = (l as unknown as { endedIds: Map<number, number> }).endedIds.size;
  t.true(held <= ENDED_KEEP_MAX, `${held} ids held`);
  l.listed([flow({ ctId: n, bytesOut: 5, event: 'update' })]);
  t.is(l.totals()[0]?.txBytes, n, 'the connection that just ended is not counted again');
});

test('ended totals are handed to the store once and restored at start', (t) => {
  const l = new ByteLedger();
  l.ended(flow({ ctId: 1 }));
  l.ended(flow({ ctId: 2 }));
  const rows = l.takeDirty();
  t.deepEqual(rows, [{ ip: '192.168.77.9', txBytes: 200, rxBytes: 1800, txPackets: 4, rxPackets: 6 }]);
  t.deepEqual(l.takeDirty(), []);
  const again = new ByteLedger();
  again.restore(rows);
  again.listed([flow({ ctId: 3, event: 'update' })]);
  t.is(again.totals()[0]!.txBytes, 300);
});

test('the box\'s own connections and office-internal ones are not a device\'s', (t) => {
  const box = new Set(['192.168.77.1', '100.64.77.2']);
  t.true(countsForDevice(flow({}), box));
  t.false(countsForDevice(flow({ remoteIp: '100.64.77.2' }), box), 'a device talking to the box');
  t.false(countsForDevice(flow({ direction: 'lan' }), box));
});
