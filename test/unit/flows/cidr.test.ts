import test from 'ava';
import { CidrError, CidrSet } from '../../../firmware/src/flows/cidr.js';

test('IPv4 and IPv6 prefixes match as expected', (t) => {
  const s = new CidrSet(['10.0.0.0/8', '192.168.1.0/24', '203.0.113.7', '2001:db8::/32', '::ffff:192.0.2.0/120']);
  t.true(s.has('10.255.1.2'));
  t.true(s.has('192.168.1.200'));
  t.false(s.has('192.168.2.1'));
  t.true(s.has('203.0.113.7'));
  t.false(s.has('203.0.113.8'));
  t.true(s.has('2001:db8:abcd::1'));
  t.false(s.has('2001:db9::1'));
  t.true(s.has('::ffff:192.0.2.44'));
  t.false(s.has('not an ip'));
});

test('bad prefixes throw CidrError', (t) => {
  t.throws(() => new CidrSet(['10.0.0.0/33']), { instanceOf: CidrError });
  t.throws(() => new CidrSet(['example.com']), { instanceOf: CidrError });
  t.throws(() => new CidrSet(['1:2:3::4::5']), { instanceOf: CidrError });
});
