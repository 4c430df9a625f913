// One reader of a socket's remote address (issue 13), shared by the page's connection caps and
// login limiting, so both count the same client: one IPv4 address or one IPv6 /64.
import test from 'ava';
import fc from 'fast-check';
import { clientKey } from '../../../firmware/src/app/webLimits.js';
import { canonicalAddress } from '../../../firmware/src/net/ip.js';
import { socketPeer } from '../../../firmware/src/net/socketPeer.js';
import { clientKeys } from '../../../webui/src/auth/rateLimit.js';

test('socketPeer: mapped IPv4 is IPv4, a zone is cut, IPv6 has its /64; anything else is none', (t) => {
  t.deepEqual(socketPeer('::FFFF:192.0.2.7'), { family: 4, address: '192.0.2.7', net64: null });
  t.deepEqual(socketPeer('192.0.2.7'), { family: 4, address: '192.0.2.7', net64: null });
  t.deepEqual(socketPeer('fe80::1%br0'), { family: 6, address: 'fe80::1', net64: 'fe80::/64' });
  t.deepEqual(socketPeer('2001:DB8:0:0:1::5'), { family: 6, address: '2001:db8::1:0:0:5', net64: '2001:db8::/64' });
  for (const s of ['::ffff:999.1.1.1', '::ffff:192.0.2.07', '192.0.2.07', '', 'x', '::ffff:c000:207']) t.is(socketPeer(s), undefined, s);
});

test('property: the connection caps and the login limiter count the same client', (t) => {
  const remote = fc.oneof(fc.ipV4(), fc.ipV4().map((a) => `::ffff:${a}`), fc.ipV6(), fc.ipV6().map((a) => `${a}%eth0`));
  fc.assert(fc.property(remote, (r) => {
    const k = clientKeys(r);
    t.is(clientKey(r), k.prefix ?? k.address);
    const p = socketPeer(r);
    if (p) t.is(canonicalAddress(p.address), p.address);
  }), { numRuns: 3000 });
});
