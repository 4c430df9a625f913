import test from 'ava';
import fc from 'fast-check';
import { parseConntrackLine } from '../../../firmware/src/traffic/conntrackList.js';
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
