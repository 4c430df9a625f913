// The network of an address for "widely used by the office" (net/ipText.ts networkKeyOf): the
// fast text path is held equal to the strict parser (net/ip.ts) on every address, in any text form.
import test from 'ava';
import fc from 'fast-check';
import { formatAddress, formatCidr, parseCidr, type Family } from '../../../firmware/src/net/ip.js';
import { networkKeyOf } from '../../../firmware/src/net/ipText.js';
import { networkKey } from '../../../firmware/src/detectors/popularity.js';

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

test('IPv4 /24 and IPv6 /48, canonical text', (t) => {
  t.is(networkKeyOf('198.51.100.66'), '198.51.100.0/24');
  t.is(networkKeyOf('2001:db8:1:2::5'), '2001:db8:1::/48');
  t.is(networkKeyOf('2001:db8::1'), '2001:db8::/48');
  t.is(networkKeyOf('2001:0db8:0000:ffff::1'), '2001:db8::/48', 'any text form of the address');
  for (const bad of ['010.0.0.1', '1.2.3', '::ffff:1.2.3.4', 'example.com', '', '1.2.3.4/24']) t.is(networkKeyOf(bad), undefined, bad);
  t.is(networkKey('not an address'), 'not an address', 'popularity keeps an unreadable remote as itself');
});

test('property: equal to the strict parser with host bits allowed', (t) => {
  const addr = fc.constantFrom<Family>(4, 6).chain((f) => fc.bigInt({ min: 0n, max: MAX[f] }).map((value) => ({ f, value })));
  fc.assert(fc.property(addr, ({ f, value }) => {
    const text = formatAddress(f, value);
    // mapped IPv4 (::ffff:0:0/96) is refused by both readers
    if (f === 6 && value >> 32n === 0xffffn) return networkKeyOf(text) === undefined;
    const strict = formatCidr(parseCidr(`${text}/${f === 4 ? 24 : 48}`, { allowHostBits: true }));
    return networkKeyOf(text) === strict;
  }), { numRuns: 5000 });
  t.pass();
});
