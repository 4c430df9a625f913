import test from 'ava';
import fc from 'fast-check';
import { CidrError, CidrSet } from '../../../firmware/src/net/cidrSet.js';
import { ipv4Number } from '../../../firmware/src/net/ipText.js';
import { IpParseError, parseAddress } from '../../../firmware/src/net/ip.js';

test('IPv4 and IPv6 prefixes match as expected', (t) => {
  const s = new CidrSet(['10.0.0.0/8', '192.168.1.0/24', '203.0.113.7', '2001:db8::/32']);
  t.true(s.has('10.255.1.2'));
  t.true(s.has('192.168.1.200'));
  t.false(s.has('192.168.2.1'));
  t.true(s.has('203.0.113.7'));
  t.false(s.has('203.0.113.8'));
  t.true(s.has('2001:db8:abcd::1'));
  t.false(s.has('2001:db9::1'));
  t.false(s.has('not an ip'));
});

test('bad prefixes throw CidrError', (t) => {
  t.throws(() => new CidrSet(['10.0.0.0/33']), { instanceOf: CidrError });
  t.throws(() => new CidrSet(['example.com']), { instanceOf: CidrError });
  t.throws(() => new CidrSet(['1:2:3::4::5']), { instanceOf: CidrError });
});

test('addresses net/ip.ts refuses are in no set: leading zeros, short forms, mapped IPv4', (t) => {
  const s = new CidrSet(['10.0.0.0/8', '0.0.0.0/0', '::/0']);
  for (const bad of ['010.0.0.1', '10.0.0.01', '10.1', '0x0a.0.0.1', '::ffff:10.0.0.1', '10.0.0.1 ', '']) t.false(s.has(bad), bad);
  t.throws(() => new CidrSet(['010.0.0.0/8']), { instanceOf: CidrError });
});

test('property: the IPv4 fast path accepts exactly what parseAddress accepts, with the same value', (t) => {
  const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010', '0x1', '', '1a'));
  const text = fc.oneof(fc.array(part, { minLength: 1, maxLength: 5 }).map((p) => p.join('.')), fc.ipV4(), fc.string({ maxLength: 16 }));
  fc.assert(fc.property(text, (s) => {
    let strict: number | undefined;
    try {
      const a = parseAddress(s);
      strict = a.family === 4 ? Number(a.value) : undefined;
    } catch (e) {
      if (!(e instanceof IpParseError)) throw e;
    }
    return ipv4Number(s) === strict;
  }), { numRuns: 5000 });
  t.pass();
});
