import test from 'ava';
import fc from 'fast-check';
import { ConntrackPoller, parseConntrackLine } from '../../../firmware/src/traffic/conntrackList.js';
import { parseFlow } from '../../../firmware/src/flows/parse.js';
import { makeIsLan } from '../../../firmware/src/net/cidrSet.js';

// Captured from conntrack v1.4.7 `-L -o extended,id,ktimestamp`.
const LINE = 'ipv4     2 tcp      6 431998 ESTABLISHED src=192.168.77.101 dst=192.0.2.150 sport=60636 dport=8443 packets=3 bytes=167 src=192.0.2.150 dst=192.168.77.101 sport=8443 dport=60636 packets=2 bytes=112 [ASSURED] mark=0 delta-time=7200 [start=Thu Nov 26 14:50:39 2026] use=1 id=1593246091';

test('an open connection becomes an update record parseFlow reads, with its start from delta-time', (t) => {
  const now = 1_800_000_000_000;
  const rec = parseConntrackLine(LINE, now)!;
  const r = parseFlow(rec, makeIsLan(['192.168.77.0/24']));
  t.true(r.ok);
  if (!r.ok) return;
  t.is(r.flow.event, 'update');
  t.is(r.flow.deviceIp, '192.168.77.101');
  t.is(r.flow.remoteIp, '192.0.2.150');
  t.is(r.flow.remotePort, 8443);
  t.is(r.flow.bytesOut, 167);
  t.is(r.flow.bytesIn, 112);
  t.is(r.flow.ctId, 1593246091);
  t.is(r.flow.start, now - 7_200_000);
});

test('lines it cannot read are refused, never thrown', (t) => {
  t.is(parseConntrackLine('conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.', 0), undefined);
  t.is(parseConntrackLine(LINE.replace(/delta-time=\d+/, ''), 0), undefined, 'no timestamp: no age');
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => { parseConntrackLine(s, 0); }));
});

test('an ICMP entry keeps its conntrack id, not the echo id printed before it', (t) => {
  // Captured from conntrack v1.4.7 (2026-12-02) in a throwaway namespace.
  const icmp = 'ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.1 type=8 code=0 id=22989 src=127.0.0.1 dst=127.0.0.1 type=0 code=0 id=22989 mark=0 delta-time=0 [start=Wed Dec  2 10:15:35 2026] use=1 id=1272395052';
  t.is(parseConntrackLine(icmp, 0)?.['ct.id'], 1272395052);
});

test('one open connection keeps one start from listing to listing, though its age comes in whole seconds', async (t) => {
  // The same connection (started at 1000.6 s) listed at 1010.2 s (age 9) and 1010.9 s (age 10):
  // now - age alone gives 1001 and then 1000.
  let now = 1_010_200;
  let age = 9;
  let id = 1593246091;
  const starts: number[] = [];
  const poller = new ConntrackPoller({
    everyMs: 60_000, minAgeMs: () => 0, now: () => now, onError: (e) => t.fail(String(e)),
    onRecord: (r) => starts.push(Number(r['flow.start.sec'])),
    list: () => Promise.resolve(LINE.replace(/delta-time=\d+/, `delta-time=${age}`).replace(/id=\d+$/, `id=${id}`)),
  });
  await poller.poll();
  now = 1_010_900;
  age = 10;
  await poller.poll();
  t.deepEqual(starts, [1001, 1001]);
  // the id taken by another connection that started much later: its own start
  age = 2;
  await poller.poll();
  t.is(starts.at(-1), 1008);
  // an id no longer listed is forgotten
  id = 7;
  await poller.poll();
  id = 1593246091;
  age = 10;
  now = 1_010_900;
  await poller.poll();
  t.is(starts.at(-1), 1000);
});
