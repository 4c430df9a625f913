import test from 'ava';
import fc from 'fast-check';
import { makeIsLan } from '../../../firmware/src/net/cidrSet.js';
import { parseFlow } from '../../../firmware/src/flows/parse.js';

const isLan = makeIsLan(['192.168.1.0/24', '2001:db8:1::/48']);

/** A datagram as ulogd2's JSON output prints an NFCT destroy event after IP2STR. */
function nfct(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: '2026-11-25T10:00:00', dvc: 'Netfilter', 'oob.family': 2, 'oob.protocol': 0,
    'orig.ip.saddr.str': '192.168.1.10', 'orig.ip.daddr.str': '203.0.113.5', 'orig.ip.protocol': 6,
    'orig.l4.sport': 51000, 'orig.l4.dport': 443, 'orig.raw.pktlen': 1200, 'orig.raw.pktcount': 12,
    'reply.ip.saddr.str': '203.0.113.5', 'reply.ip.daddr.str': '198.51.100.2', 'reply.ip.protocol': 6,
    'reply.l4.sport': 443, 'reply.l4.dport': 51000, 'reply.raw.pktlen': 48000, 'reply.raw.pktcount': 40,
    'ct.mark': 0, 'ct.id': 3735928559, 'ct.event': 4,
    'flow.start.sec': 1795600000, 'flow.start.usec': 250000, 'flow.end.sec': 1795600030, 'flow.end.usec': 0,
    ...over,
  };
}

test('an outbound destroy event becomes an end record seen from the LAN device', (t) => {
  const r = parseFlow(nfct(), isLan);
  t.true(r.ok);
  if (!r.ok) return;
  t.like(r.flow, {
    event: 'end', ctId: 3735928559, family: 4, proto: 'tcp', direction: 'outbound', deviceIp: '192.168.1.10',
    remoteIp: '203.0.113.5', remotePort: 443, devicePort: 51000, bytesOut: 1200, pktsOut: 12, bytesIn: 48000, pktsIn: 40,
    start: 1795600000250, end: 1795600030000,
  });
});

test('CIM key names (src_ip, dest_ip, src_port, dest_port) are accepted too', (t) => {
  const o = nfct({ src_ip: '192.168.1.10', dest_ip: '203.0.113.5', src_port: 51000, dest_port: 25 });
  for (const k of ['orig.ip.saddr.str', 'orig.ip.daddr.str', 'orig.l4.sport', 'orig.l4.dport']) delete o[k];
  const r = parseFlow(o, isLan);
  t.true(r.ok && r.flow.remotePort === 25 && r.flow.deviceIp === '192.168.1.10');
});

test('inbound flows are oriented to the LAN device; LAN-to-LAN is "lan"', (t) => {
  const inbound = parseFlow(nfct({ 'orig.ip.saddr.str': '203.0.113.9', 'orig.ip.daddr.str': '192.168.1.30', 'orig.l4.dport': 3389 }), isLan);
  t.true(inbound.ok && inbound.flow.direction === 'inbound' && inbound.flow.deviceIp === '192.168.1.30'
    && inbound.flow.bytesOut === 48000 && inbound.flow.devicePort === 3389 && inbound.flow.remoteIp === '203.0.113.9');
  const lan = parseFlow(nfct({ 'orig.ip.daddr.str': '192.168.1.20' }), isLan);
  t.true(lan.ok && lan.flow.direction === 'lan');
});

test('IPv6 flows and update events parse; a MAC is taken when a stack provides one', (t) => {
  const r = parseFlow(nfct({ 'oob.family': 10, 'orig.ip.saddr.str': '2001:DB8:1::10', 'orig.ip.daddr.str': '2001:db8:ff::1', 'ct.event': 2, 'flow.end.sec': undefined, 'orig.mac.str': '02:AA:BB:CC:DD:EE' }), isLan);
  t.true(r.ok);
  if (!r.ok) return;
  t.is(r.flow.family, 6);
  t.is(r.flow.deviceIp, '2001:db8:1::10');
  t.is(r.flow.event, 'update');
  t.is(r.flow.end, r.flow.start);
  t.is(r.flow.deviceMac, '02:aa:bb:cc:dd:ee');
});

test('malformed objects give a typed reason', (t) => {
  const cases: Array<[unknown, string]> = [
    [null, 'not_object'], [[], 'not_object'], ['x', 'not_object'],
    [nfct({ 'ct.event': 3 }), 'bad_event'],
    [nfct({ 'orig.ip.saddr.str': '999.1.1.1' }), 'bad_address'],
    [nfct({ 'oob.family': 10 }), 'bad_address'],
    [nfct({ 'orig.ip.protocol': 'tcp' }), 'bad_protocol'],
    [nfct({ 'orig.l4.dport': 70000 }), 'bad_port'],
    [nfct({ 'orig.raw.pktlen': -1 }), 'bad_counter'],
    [nfct({ 'flow.start.sec': undefined }), 'bad_time'],
    [nfct({ 'flow.end.sec': 1795599999 }), 'bad_time'],
    [nfct({ 'orig.ip.saddr.str': '198.51.100.1' }), 'no_lan_side'],
  ];
  for (const [input, reason] of cases) {
    const r = parseFlow(input, isLan);
    t.deepEqual(r, { ok: false, reason } as never, JSON.stringify(input)?.slice(0, 80));
  }
});

test('property: never throws on arbitrary JSON values or mutated datagrams', (t) => {
  fc.assert(fc.property(fc.jsonValue(), (v) => { parseFlow(v, isLan); }));
  const keys = Object.keys(nfct());
  fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), (k, v) => {
    const r = parseFlow(nfct({ [k]: v }), isLan);
    if (r.ok) {
      t.true(r.flow.end >= r.flow.start);
      t.true(Number.isInteger(r.flow.bytesOut) && r.flow.bytesOut >= 0);
    }
  }));
});

test('property: generated valid outbound datagrams round-trip their numbers', (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 254 }), fc.ipV4(), fc.integer({ min: 0, max: 65535 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2e9 }), fc.integer({ min: 0, max: 1e6 }),
    (host, remote, dport, ob, rb, sec, dur) => {
      fc.pre(!remote.startsWith('192.168.1.'));
      const r = parseFlow(nfct({ 'orig.ip.saddr.str': `192.168.1.${host}`, 'orig.ip.daddr.str': remote, 'orig.l4.dport': dport,
        'orig.raw.pktlen': ob, 'reply.raw.pktlen': rb, 'flow.start.sec': sec, 'flow.start.usec': 0, 'flow.end.sec': sec + dur, 'flow.end.usec': 0 }), isLan);
      return r.ok && r.flow.remoteIp === remote && r.flow.remotePort === dport && r.flow.bytesOut === ob && r.flow.bytesIn === rb
        && r.flow.end - r.flow.start === dur * 1000;
    }));
  t.pass();
});

test('flow records carry the same canonical address text as packet-log events (RFC 5952, strict IPv4)', (t) => {
  const r = parseFlow(nfct({ 'oob.family': 10, 'orig.ip.saddr.str': '2001:0DB8:0001:0:0:0:0:0010', 'orig.ip.daddr.str': '2001:db8:ff:0:0:0:0:1' }), isLan);
  t.true(r.ok);
  if (!r.ok) return;
  t.is(r.flow.deviceIp, '2001:db8:1::10');
  t.is(r.flow.remoteIp, '2001:db8:ff::1');
  for (const bad of ['010.0.0.1', '::ffff:192.168.1.10', '1:2:3:4:5:6:7:8:9']) {
    const b = parseFlow(nfct({ 'orig.ip.saddr.str': bad }), isLan);
    t.false(b.ok, bad);
  }
});
