// One canonical text per address (net/ip canonicalAddress), and the one reader of a peer's
// address as files write it (net/hostOrAddress peerAddress): brackets, a zone id and space
// around it are what it adds; the address itself is read by net/ip.
import test from 'ava';
import fc from 'fast-check';
import { canonicalAddress, formatAddress, MAX, type Family } from '../../../firmware/src/net/ip.js';
import { isHostOrAddress, peerAddress } from '../../../firmware/src/net/hostOrAddress.js';

test('canonicalAddress: the normal form of one address, null for anything else', (t) => {
  t.is(canonicalAddress('2001:0DB8:0:0::0001'), '2001:db8::1');
  t.is(canonicalAddress('192.0.2.1'), '192.0.2.1');
  t.is(canonicalAddress('010.0.0.1'), null, 'a leading zero is ambiguous (octal to some tools)');
  t.is(canonicalAddress('::ffff:192.0.2.1'), null, 'a mapped IPv4 address is refused, as net/ip does');
  t.is(canonicalAddress('192.0.2.0/24'), null);
  t.is(canonicalAddress(' 192.0.2.1'), null, 'exactly one address: no space');
  t.is(canonicalAddress('pool.ntp.org'), null);
});

test('property: canonicalAddress of any written form of an address is formatAddress of it', (t) => {
  const family = fc.constantFrom<Family>(4, 6);
  const addr = family.chain((f) => fc.bigInt({ min: 0n, max: MAX[f] }).map((value) => ({ family: f, value })));
  fc.assert(fc.property(addr, (a) => {
    const text = formatAddress(a.family, a.value);
    if (canonicalAddress(text) === null) return true; // mapped IPv4 is refused on purpose
    const upper = text.toUpperCase();
    return canonicalAddress(upper) === text && canonicalAddress(text) === text;
  }));
  t.pass();
});

test('peerAddress: brackets, a zone id and space are cut; the rest is canonicalAddress', (t) => {
  t.is(peerAddress(' [2001:0db8::0001] '), '2001:db8::1');
  t.is(peerAddress('fe80::0001%eth0'), 'fe80::1');
  t.is(peerAddress('192.0.2.1'), '192.0.2.1');
  t.is(peerAddress('010.0.0.1'), null);
  t.is(peerAddress('pool.ntp.org'), null);
  t.true(isHostOrAddress('pool.ntp.org'));
  t.true(isHostOrAddress('[2001:db8::1]'));
  t.false(isHostOrAddress('a b'));
});
