import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseNflogRecord, type NflogErrorReason } from '../../../firmware/src/sensors/nflog.js';

const fixture = (name: string): Record<string, unknown>[] =>
  readFileSync(new URL(`../../fixtures/ulogd/${name}`, import.meta.url), 'utf8')
    .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

const packets = fixture('nflog-packets.jsonl');
const byPrefix = (prefix: string, port?: number): Record<string, unknown> => {
  const r = packets.find((p) => p['oob.prefix'] === prefix && (port === undefined || p.dest_port === port));
  if (!r) throw new Error(`fixture has no ${prefix}`);
  return r;
};

test('real ulogd2 samples: every captured packet parses', (t) => {
  t.true(packets.length >= 7);
  for (const p of packets) {
    const r = parseNflogRecord(p, 0);
    t.true(r.ok, JSON.stringify(r));
  }
});

test('outbound IPv4 TCP SYN: ports, protocol, kernel time, out interface, no MAC', (t) => {
  const r = parseNflogRecord(byPrefix('utm:test', 8080), 0);
  if (!r.ok) return t.fail(r.reason);
  t.like(r.event, {
    type: 'packet', prefix: 'utm:test', family: 4, proto: 'tcp', srcIp: '192.0.2.1',
    dstIp: '192.0.2.9', dstPort: 8080, outIf: 'v0', inIf: undefined, srcMac: undefined,
  });
  const rec = byPrefix('utm:test', 8080);
  t.is(r.event.at, (rec['oob.time.sec'] as number) * 1000 + Math.floor((rec['oob.time.usec'] as number) / 1000));
  t.is(typeof r.event.srcPort, 'number');
});

test('inbound IPv4 ICMP carries the source MAC and input interface, no ports', (t) => {
  const r = parseNflogRecord(byPrefix('utm:in'), 0);
  if (!r.ok) return t.fail(r.reason);
  t.like(r.event, { proto: 'icmp', srcIp: '192.0.2.9', inIf: 'v0', outIf: undefined, srcPort: undefined });
  t.regex(r.event.srcMac ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
});

test('IPv6 samples: family 6, icmpv6 and tcp', (t) => {
  const a = parseNflogRecord(byPrefix('utm:in6'), 0);
  const b = parseNflogRecord(byPrefix('utm:test6', 8443), 0);
  if (!a.ok || !b.ok) return t.fail();
  t.like(a.event, { family: 6, proto: 'icmpv6', srcIp: '2001:db8::9', dstIp: '2001:db8::1' });
  t.like(b.event, { family: 6, proto: 'tcp', dstPort: 8443 });
});

test('addresses are normalised; non-canonical IPv6 text is rewritten', (t) => {
  const rec = { ...byPrefix('utm:test6', 8443), src_ip: '2001:DB8:0:0:0:0:0:1' };
  const r = parseNflogRecord(rec, 0);
  t.true(r.ok && r.event.srcIp === '2001:db8::1');
});

test('missing kernel time falls back to the receive time', (t) => {
  const { ['oob.time.sec']: _s, ['oob.time.usec']: _u, ...rec } = byPrefix('utm:test', 8080);
  const r = parseNflogRecord(rec, 1234);
  t.true(r.ok && r.event.at === 1234);
});

test('bridge family takes the IP version from the ethertype', (t) => {
  const r = parseNflogRecord({ ...byPrefix('utm:in'), 'oob.family': 7, 'oob.protocol': 0x0800 }, 0);
  t.true(r.ok && r.event.family === 4);
});

const hostile: [string, Record<string, unknown>, NflogErrorReason][] = [
  ['hostname as address', { src_ip: 'evil.example' }, 'bad-address'],
  ['leading-zero octet', { dest_ip: '192.0.02.9' }, 'bad-address'],
  ['v6 address with v4 family', { src_ip: '2001:db8::1' }, 'family-mismatch'],
  ['unknown family', { 'oob.family': 3 }, 'bad-family'],
  ['control char in prefix', { 'oob.prefix': 'utm:\u001b[31m' }, 'bad-prefix'],
  ['prefix too long', { 'oob.prefix': 'x'.repeat(200) }, 'bad-field'],
  ['prefix not a string', { 'oob.prefix': 42 }, 'bad-field'],
  ['port out of range', { dest_port: 70000 }, 'bad-field'],
  ['fractional port', { dest_port: 80.5 }, 'bad-field'],
  ['bad MAC', { 'mac.saddr.str': 'zz:zz:zz:zz:zz:zz' }, 'bad-mac'],
  ['interface with slash', { 'oob.in': '../etc' }, 'bad-ifname'],
  ['protocol over 255', { 'ip.protocol': 256 }, 'bad-field'],
  ['usec over a second', { 'oob.time.usec': 1_000_000 }, 'bad-field'],
];
for (const [name, patch, reason] of hostile) {
  test(`hostile: ${name} → ${reason}`, (t) => {
    const r = parseNflogRecord({ ...byPrefix('utm:in'), ...patch }, 0);
    t.false(r.ok);
    if (!r.ok) t.is(r.reason, reason);
  });
}

test('non-objects are rejected with not-object', (t) => {
  for (const v of [null, 1, 'x', [], true]) {
    const r = parseNflogRecord(v, 0);
    t.true(!r.ok && r.reason === 'not-object');
  }
});

test('property: any JSON value never throws and yields ok or a reason', (t) => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const r = parseNflogRecord(v, 0);
    return r.ok || typeof r.reason === 'string';
  }));
  t.pass();
});

test('property: a real record with one field replaced by anything never throws; ok ⇒ valid event', (t) => {
  const base = byPrefix('utm:test', 8080);
  const keys = Object.keys(base);
  fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), (k, v) => {
    const r = parseNflogRecord({ ...base, [k]: v }, 0);
    if (!r.ok) return true;
    const e = r.event;
    return (e.family === 4 || e.family === 6) && e.srcIp.length <= 39 && e.prefix.length <= 128 &&
      (e.dstPort === undefined || (Number.isInteger(e.dstPort) && e.dstPort >= 0 && e.dstPort <= 65535));
  }));
  t.pass();
});
